//! The file's schema as serde types: each struct's fields are the keys its table allows.
//!
//! Values keep their spans (`toml::Spanned`) so later checks can say `path:line:col`. Leaf types
//! reject a wrong TOML type with a marked message naming what was expected; `spans` turns that
//! into a `ConfigError::WrongType` with the key and the value found at the error's span.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// Marks what a value was expected to be in a type error (serde puts `expecting` text last).
pub(super) const WRONG_TYPE: char = '\u{1}';

/// The top-level table.
#[derive(Deserialize)]
pub(super) struct RawTop {
    pub default_model: Option<Spanned<Text>>,
    pub providers: Option<Tables<RawProvider, ProvidersExpected>>,
    pub media_panel_auto_open: Option<Flag>,
    pub downloads_dir: Option<Spanned<Text>>,
    pub image_protocol: Option<Spanned<Text>>,
    pub media_allow_hosts: Option<Strings<StopExpected>>,
    pub media_cache_max_mb: Option<Spanned<Int>>,
    pub transcripts_dir: Option<Spanned<Text>>,
    pub theme: Option<Spanned<Text>>,
    pub keys: Option<Spanned<KeyTable>>,
    pub mouse: Option<Flag>,
    pub task_bell: Option<Flag>,
    pub max_reply_mb: Option<Spanned<Int>>,
    pub attach_max_side: Option<Spanned<Int>>,
    pub attach_max_text_kb: Option<Spanned<Int>>,
}

/// One `[[providers]]` table.
#[derive(Deserialize)]
#[serde(expecting = "\u{1}an array of tables ([[providers]])")]
pub(super) struct RawProvider {
    pub name: Option<Spanned<Text>>,
    pub base_url: Option<Spanned<Text>>,
    pub api_key: Option<Spanned<Text>>,
    pub api_key_env: Option<Spanned<Text>>,
    pub api_key_cmd: Option<Spanned<Text>>,
    pub connect_timeout_secs: Option<Spanned<Int>>,
    pub idle_timeout_secs: Option<Spanned<Int>>,
    pub max_retries: Option<Spanned<Int>>,
    pub include_usage: Option<Flag>,
    pub currency: Option<Spanned<Text>>,
    pub pricing: Option<Spanned<Text>>,
    pub show_balance: Option<Flag>,
    pub low_balance: Option<Spanned<Num>>,
    pub models: Option<Tables<ModelItem, ModelsExpected>>,
}

/// One `[[providers.models]]` table (or inline table in `models = [...]`).
#[derive(Deserialize)]
pub(super) struct RawModel {
    pub id: Option<Spanned<Text>>,
    pub name: Option<Spanned<Text>>,
    pub kind: Option<Spanned<Text>>,
    pub temperature: Option<Spanned<Num>>,
    pub top_p: Option<Spanned<Num>>,
    pub top_k: Option<Spanned<Int>>,
    pub max_tokens: Option<Spanned<Int>>,
    pub presence_penalty: Option<Spanned<Num>>,
    pub frequency_penalty: Option<Spanned<Num>>,
    pub stop: Option<Strings<StopExpected>>,
    pub system: Option<Text>,
    pub stream: Option<Flag>,
    pub input_price: Option<Spanned<Num>>,
    pub output_price: Option<Spanned<Num>>,
    pub cached_input_price: Option<Spanned<Num>>,
    pub call_price: Option<Spanned<Num>>,
    pub vision: Option<Flag>,
    pub api: Option<Spanned<Text>>,
    pub poll_secs: Option<Spanned<Num>>,
    pub task_timeout_secs: Option<Spanned<Int>>,
}

/// The keys a serde struct accepts, read from its derive: the one list of a table's keys.
pub(super) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldProbe(&mut fields));
    fields
}

/// A deserializer that only records the field list a derived struct asks for.
struct FieldProbe<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A type error for a value that is not `expected`.
fn wrong<E: de::Error>(expected: &str) -> E {
    E::custom(format!("{WRONG_TYPE}{expected}"))
}

/// What a value is expected to be, as printed in "`key` must be ...".
pub(super) trait Expected {
    /// The phrase after "must be".
    const WHAT: &'static str;
}

/// `providers` expects an array of tables.
pub(super) struct ProvidersExpected;
impl Expected for ProvidersExpected {
    const WHAT: &'static str = "an array of tables ([[providers]])";
}

/// `models` expects ids and tables.
pub(super) struct ModelsExpected;
impl Expected for ModelsExpected {
    const WHAT: &'static str = "an array of model ids or tables";
}

/// `stop` and `media_allow_hosts` expect strings.
pub(super) struct StopExpected;
impl Expected for StopExpected {
    const WHAT: &'static str = "a string or an array of strings";
}

/// A `[keys]` entry expects key names.
pub(super) struct KeyExpected;
impl Expected for KeyExpected {
    const WHAT: &'static str = "a key (\"ctrl+q\") or a list of keys ([\"f1\", \"?\"])";
}

/// What `keys` must be.
pub(super) const KEYS_TABLE: &str = "a table ([keys])";

/// Every "expected" phrase, so an error message maps back to a `&'static str`.
pub(super) const ALL_EXPECTED: &[&str] = &[
    ProvidersExpected::WHAT,
    ModelsExpected::WHAT,
    StopExpected::WHAT,
    KeyExpected::WHAT,
    KEYS_TABLE,
    LAYER_TABLE,
    "a string",
    "true or false",
    "an integer",
    "a number",
];

/// `expecting` text that `parse` recognises; serde's default `visit_*` methods reject every
/// other kind of value with it.
fn expecting(f: &mut fmt::Formatter<'_>, what: &str) -> fmt::Result {
    write!(f, "{WRONG_TYPE}{what}")
}

/// One TOML value as a leaf sees it: what it accepts, or the kind it rejects.
enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An array, table or date-time: never a leaf.
    Other,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Int(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Implements `Deserialize` for a leaf from the `Scalar`s it accepts.
macro_rules! leaf {
    ($ty:ident, $expect:literal, |$s:ident| $convert:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let $s = Scalar::deserialize(d)?;
                $convert.map($ty).ok_or_else(|| wrong($expect))
            }
        }
    };
}

/// A string.
pub(super) struct Text(pub String);
leaf!(Text, "a string", |s| match s {
    Scalar::Str(s) => Some(s),
    _ => None,
});

/// `true` or `false`.
pub(super) struct Flag(pub bool);
leaf!(Flag, "true or false", |s| match s {
    Scalar::Bool(b) => Some(b),
    _ => None,
});

/// An integer (its range is checked with its span, to quote what was written).
pub(super) struct Int(pub i64);
leaf!(Int, "an integer", |s| match s {
    Scalar::Int(i) => Some(i),
    _ => None,
});

/// A number, integer or float.
pub(super) struct Num(pub f64);
leaf!(Num, "a number", |s| match s {
    Scalar::Int(i) => Some(i as f64),
    Scalar::Float(f) => Some(f),
    _ => None,
});

/// A string or an array of strings, each with its span (`stop = "\n"`, `quit = ["f2", "q"]`).
pub(super) struct Strings<X> {
    /// The items; a lone string is one item.
    pub items: Vec<Spanned<String>>,
    /// The span of the whole value.
    pub span: std::ops::Range<usize>,
    expected: PhantomData<X>,
}

/// One item of `Strings`: a string, or a type error naming the list's expectation.
struct Item<X>(String, PhantomData<X>);

impl<'de, X: Expected> Deserialize<'de> for Item<X> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match StringOrList::<X>::deserialize(d)? {
            StringOrList::One(s) => Ok(Item(s, PhantomData)),
            StringOrList::Many(_) => Err(wrong(X::WHAT)),
        }
    }
}

enum StringOrList<X> {
    One(String),
    Many(Vec<Spanned<Item<X>>>),
}

impl<'de, X: Expected> Deserialize<'de> for StringOrList<X> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<X>(PhantomData<X>);
        impl<'de, X: Expected> Visitor<'de> for V<X> {
            type Value = StringOrList<X>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, X::WHAT)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrList::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                collect(seq).map(StringOrList::Many)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de, X: Expected> Deserialize<'de> for Strings<X> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Spanned::<StringOrList<X>>::deserialize(d)?;
        Ok(Strings::from_parts(value.span(), value.into_inner()))
    }
}

impl<X> Strings<X> {
    fn from_parts(span: std::ops::Range<usize>, value: StringOrList<X>) -> Self {
        let items = match value {
            StringOrList::One(s) => vec![Spanned::new(span.clone(), s)],
            StringOrList::Many(items) => items
                .into_iter()
                .map(|i| Spanned::new(i.span(), i.into_inner().0))
                .collect(),
        };
        Strings {
            items,
            span,
            expected: PhantomData,
        }
    }
}

fn collect<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element()? {
        items.push(item);
    }
    Ok(items)
}

/// An array of tables (or, for models, of ids and tables), each with its span.
pub(super) struct Tables<T, X>(pub Vec<Spanned<T>>, PhantomData<X>);

impl<'de, T: Deserialize<'de>, X: Expected> Deserialize<'de> for Tables<T, X> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, X>(PhantomData<(T, X)>);
        impl<'de, T: Deserialize<'de>, X: Expected> Visitor<'de> for V<T, X> {
            type Value = Tables<T, X>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, X::WHAT)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Ok(Tables(collect(seq)?, PhantomData))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An entry of `models`: a bare id or a model table.
pub(super) enum ModelItem {
    /// `models = ["gpt-4o"]`.
    Id(String),
    /// `[[providers.models]]` or `{ id = "..." }`.
    Table(Box<RawModel>),
}

impl<'de> Deserialize<'de> for ModelItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ModelItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, ModelsExpected::WHAT)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ModelItem, E> {
                Ok(ModelItem::Id(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ModelItem, A::Error> {
                RawModel::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|m| ModelItem::Table(Box::new(m)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `[keys]` table: command name and keys, or a layer's table, in no particular order
/// (sort by span).
pub(super) struct KeyTable(pub Vec<(String, KeyEntry)>);

/// One entry of `[keys]`.
pub(super) enum KeyEntry {
    /// A global command's keys (`quit = "ctrl+q"`).
    Keys(Strings<KeyExpected>),
    /// A layer's table (`[keys.picker]`): command name and keys.
    Layer(Spanned<LayerTable>),
}

/// What a layer's entry in `[keys]` must be.
pub(super) const LAYER_TABLE: &str = "a table of commands and keys ([keys.LAYER])";

/// A `[keys.LAYER]` table: command name and keys, in no particular order.
pub(super) struct LayerTable(pub Vec<(String, Strings<KeyExpected>)>);

impl<'de> Deserialize<'de> for KeyTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, KEYS_TABLE)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    // A layer's name takes its table; keys there are refused later, by name.
                    let entry = if crate::keymap::Layer::from_name(&name).is_some() {
                        map.next_value::<Spanned<KeysOrTable>>()?.into()
                    } else {
                        KeyEntry::Keys(map.next_value()?)
                    };
                    entries.push((name, entry));
                }
                Ok(KeyTable(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The value of a `[keys]` entry named like a layer: a table, or a command's keys.
enum KeysOrTable {
    Keys(StringOrList<KeyExpected>),
    Table(LayerTable),
}

impl<'de> Deserialize<'de> for KeysOrTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeysOrTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, KeyExpected::WHAT)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeysOrTable::Keys(StringOrList::One(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                collect(seq).map(|items| KeysOrTable::Keys(StringOrList::Many(items)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                LayerTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(KeysOrTable::Table)
            }
        }
        d.deserialize_any(V)
    }
}

impl From<Spanned<KeysOrTable>> for KeyEntry {
    fn from(value: Spanned<KeysOrTable>) -> Self {
        let span = value.span();
        match value.into_inner() {
            KeysOrTable::Table(t) => KeyEntry::Layer(Spanned::new(span, t)),
            KeysOrTable::Keys(keys) => KeyEntry::Keys(Strings::from_parts(span, keys)),
        }
    }
}

impl<'de> Deserialize<'de> for LayerTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LayerTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                expecting(f, LAYER_TABLE)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LayerTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(LayerTable(entries))
            }
        }
        d.deserialize_any(V)
    }
}
