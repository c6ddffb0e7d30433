//! Which provider's key a media link may carry: only the relay's video content route
//! (`/v1/videos/{id}/content`) on that provider's own origin (scheme, host and port of its
//! `base_url`). Images and other links, even on the relay's host, go without it. Update only
//! chooses the provider; the edge reads the key and checks the link again.

use crate::app::App;
use crate::config::Provider;

/// The provider whose key `url` may be fetched with: the one that wrote the message, else the
/// current one, else any configured provider on the link's origin; `None` for every other link.
pub(super) fn key_holder(app: &App, url: &str, message_id: Option<u64>) -> Option<Box<Provider>> {
    if !crate::tasks::url::is_keyed_content(url) {
        return None;
    }
    let writer = message_id
        .and_then(|id| app.conv.get(id))
        .and_then(|m| m.model.as_deref())
        .and_then(|label| label.split_once(':'))
        .and_then(|(name, _)| app.providers.iter().find(|p| p.name == name));
    writer
        .into_iter()
        .chain(std::iter::once(&app.target.provider))
        .chain(&app.providers)
        .find(|p| {
            p.base_url
                .as_deref()
                .is_some_and(|base| crate::tasks::url::may_send_key(url, base))
        })
        .map(|p| Box::new(p.clone()))
}
