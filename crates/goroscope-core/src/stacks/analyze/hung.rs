//! Hung groups: groups whose longest wait reaches `min_wait` minutes, longest first.

use super::group::Acc;

/// Indices into `accs` of the hung groups, longest wait first (then most goroutines).
///
/// Groups that printed no minutes never count: Go prints none below one minute or before the
/// first GC. With `min_wait` 0 every group that printed minutes counts.
pub(crate) fn hung(accs: &[Acc], min_wait: u32) -> Vec<usize> {
    let mut out: Vec<usize> = (0..accs.len())
        .filter(|&i| accs[i].wait_max.is_some_and(|w| w >= min_wait))
        .collect();
    // Stable: groups with equal wait and count keep the order they had.
    out.sort_by(|&a, &b| {
        accs[b]
            .wait_max
            .cmp(&accs[a].wait_max)
            .then(accs[b].count.cmp(&accs[a].count))
    });
    out
}
