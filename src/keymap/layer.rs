//! One layer's keys as data: a pane's or an overlay's commands, their names in `[keys.LAYER]`,
//! their default keys, and the map in use (defaults with the config's rebinds applied).

use crossterm::event::KeyEvent;

use super::Combo;

/// Where a key acts besides the global map. A key goes to the open overlay's layer first, then
/// to the focused pane's, then to the global map (`KeyMap::resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The input box while it has the focus.
    Prompt,
    /// The conversation pane while it has the focus.
    Conversation,
    /// The columns of a comparison, while they are on screen (conversation focus; the keys
    /// with Alt also from the prompt).
    Compare,
    /// The media panel while it has the focus.
    Media,
    /// The model picker (Ctrl+P).
    Picker,
    /// The session browser (Ctrl+O).
    Browser,
    /// The help overlay (F1).
    Help,
}

impl Layer {
    /// Every layer, in the order F1 and the README list them.
    pub const ALL: [Layer; 7] = [
        Layer::Prompt,
        Layer::Conversation,
        Layer::Compare,
        Layer::Media,
        Layer::Picker,
        Layer::Browser,
        Layer::Help,
    ];

    /// The layers' names as written after `[keys.`.
    pub const NAMES: &'static [&'static str] = &[
        "prompt",
        "conversation",
        "compare",
        "media",
        "picker",
        "browser",
        "help_overlay",
    ];

    /// The name in `[keys.NAME]`.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Prompt => "prompt",
            Layer::Conversation => "conversation",
            Layer::Compare => "compare",
            Layer::Media => "media",
            Layer::Picker => "picker",
            Layer::Browser => "browser",
            // `help` is the command that opens it.
            Layer::Help => "help_overlay",
        }
    }

    /// The layer called `name` in the config.
    pub fn from_name(name: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The config section, for error messages.
    pub fn section(self) -> &'static str {
        match self {
            Layer::Prompt => "[keys.prompt]",
            Layer::Conversation => "[keys.conversation]",
            Layer::Compare => "[keys.compare]",
            Layer::Media => "[keys.media]",
            Layer::Picker => "[keys.picker]",
            Layer::Browser => "[keys.browser]",
            Layer::Help => "[keys.help_overlay]",
        }
    }

    /// The heading of the layer's keys in F1 and the README.
    pub fn heading(self) -> &'static str {
        match self {
            Layer::Prompt => "In the prompt",
            Layer::Conversation => "In the conversation (Tab to focus it)",
            Layer::Compare => "In a comparison's columns (Tab to focus them)",
            Layer::Media => "In the media panel (Tab to focus it)",
            Layer::Picker => "In the model picker (Ctrl+P)",
            Layer::Browser => "In the session browser (Ctrl+O)",
            Layer::Help => "In the help (F1)",
        }
    }

    /// What "(…)" after a key says when it acts only while the layer's text field is idle.
    pub fn idle_note(self) -> &'static str {
        match self {
            Layer::Prompt => " (empty input)",
            Layer::Picker => " (empty filter)",
            Layer::Browser => " (list focus)",
            Layer::Conversation | Layer::Compare | Layer::Media | Layer::Help => "",
        }
    }
}

/// A command of a layer with its `[keys.LAYER]` name and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named<C> {
    pub command: C,
    pub name: &'static str,
    pub about: &'static str,
}

/// The commands of one layer.
pub trait LayerCommand: Copy + Eq + std::fmt::Debug + 'static {
    /// The layer these commands belong to.
    const LAYER: Layer;
    /// Every command with its name and description, in help order.
    const TABLE: &'static [Named<Self>];
    /// The names of `TABLE`, for "unknown key" errors.
    const NAMES: &'static [&'static str];

    /// The default bindings, in help order.
    fn defaults() -> Vec<LayerBinding<Self>>;

    /// True when a key given in the config would otherwise type into the layer's text field:
    /// such a key runs its command only while the field is idle.
    fn idle_only(combo: &Combo) -> bool;

    /// The command's name in `[keys.LAYER]`.
    fn name(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|n| n.command == self)
            .map_or("", |n| n.name)
    }

    /// What the command does, for F1 and the README.
    fn about(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|n| n.command == self)
            .map_or("", |n| n.about)
    }

    /// The command called `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::TABLE
            .iter()
            .find(|n| n.name == name)
            .map(|n| n.command)
    }
}

/// One key of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerBinding<C> {
    pub combo: Combo,
    pub command: C,
    /// Only while the layer's text field is idle (prompt or filter empty, browser list focused).
    pub idle_only: bool,
}

/// The keys of one layer, first match wins.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerMap<C> {
    pub bindings: Vec<LayerBinding<C>>,
}

impl<C: LayerCommand> Default for LayerMap<C> {
    fn default() -> Self {
        Self {
            bindings: C::defaults(),
        }
    }
}

/// One key bound to two commands of the same layer, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerConflict {
    pub combo: Combo,
    /// The command that has the key earlier in binding order.
    pub first: &'static str,
    /// The other command.
    pub second: &'static str,
}

impl<C: LayerCommand> LayerMap<C> {
    /// The command bound to `key`, given whether the layer's text field is idle.
    pub fn lookup(&self, key: &KeyEvent, idle: bool) -> Option<C> {
        let combo = Combo::of(key);
        self.bindings
            .iter()
            .find(|b| b.combo == combo && (!b.idle_only || idle))
            .map(|b| b.command)
    }

    /// Every bound command with its keys joined, in binding order.
    pub fn help_rows(&self) -> Vec<(Vec<String>, C)> {
        let mut rows: Vec<(Vec<String>, C)> = Vec::new();
        for b in &self.bindings {
            let mut label = b.combo.label();
            if b.idle_only {
                label.push_str(C::LAYER.idle_note());
            }
            match rows.iter_mut().find(|(_, c)| *c == b.command) {
                Some((labels, _)) => labels.push(label),
                None => rows.push((vec![label], b.command)),
            }
        }
        rows
    }

    /// This map with each command of `overrides` bound to exactly the given keys (an empty
    /// list unbinds it); fails when that leaves a key bound to two commands.
    pub fn with_overrides(&self, overrides: &[(C, Vec<Combo>)]) -> Result<Self, LayerConflict> {
        let bindings = super::custom::rebind(
            &self.bindings,
            |b| b.command,
            overrides,
            |command, combo| LayerBinding {
                combo,
                command,
                idle_only: C::idle_only(&combo),
            },
        );
        let map = Self { bindings };
        match map.conflict() {
            Some(conflict) => Err(conflict),
            None => Ok(map),
        }
    }

    /// The first key bound to two different commands, if any.
    pub fn conflict(&self) -> Option<LayerConflict> {
        self.bindings.iter().enumerate().find_map(|(i, a)| {
            self.bindings[..i]
                .iter()
                .find(|b| b.combo == a.combo && b.command != a.command)
                .map(|b| LayerConflict {
                    combo: a.combo,
                    first: b.command.name(),
                    second: a.command.name(),
                })
        })
    }

    /// `with_overrides` by command name (names were checked against `C::NAMES` before).
    pub fn rebind_named(&self, overrides: &[(&str, Vec<Combo>)]) -> Result<Self, LayerConflict> {
        let typed: Vec<(C, Vec<Combo>)> = overrides
            .iter()
            .filter_map(|(name, combos)| Some((C::from_name(name)?, combos.clone())))
            .collect();
        self.with_overrides(&typed)
    }

    /// The layer's rows for F1 and the README: keys, description, `[keys.LAYER]` name.
    pub fn rows(&self) -> Vec<KeyRow> {
        self.help_rows()
            .into_iter()
            .map(|(keys, c)| KeyRow {
                keys,
                about: c.about(),
                name: c.name(),
            })
            .collect()
    }
}

/// One command's row in F1 and the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// Its keys as labels (`Ctrl+P`, `Home (empty filter)`).
    pub keys: Vec<String>,
    pub about: &'static str,
    /// The name under `[keys.LAYER]`.
    pub name: &'static str,
}

/// Declares a layer's command enum with its table of names and descriptions.
macro_rules! layer_commands {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident in $layer:expr;
        $($(#[$vmeta:meta])* $variant:ident = $name:literal, $about:literal;)*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $ty {
            $($(#[$vmeta])* $variant,)*
        }

        impl $ty {
            const TABLE_: &'static [$crate::keymap::layer::Named<$ty>] = &[
                $($crate::keymap::layer::Named {
                    command: $ty::$variant,
                    name: $name,
                    about: $about,
                },)*
            ];
            const NAMES_: &'static [&'static str] = &[$($name,)*];
            const LAYER_: $crate::keymap::layer::Layer = $layer;
        }
    };
}

pub(crate) use layer_commands;
