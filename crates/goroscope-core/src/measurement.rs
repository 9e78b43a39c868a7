//! Units and scaling, pprof's `internal/measurement`: the one unit table (bytes, time, GCU),
//! `Scale`, `ScaledLabel`, `Label`, `Percentage` (with Go's `%g` they rely on), and
//! `ScaleProfiles`/`CommonValueType`, which bring profiles to common units before a merge.
//!
//! Layering: above the profile model (it rescales profiles), below `graph`, `report` and `driver`,
//! which import it; the profile code itself needs no units.

use crate::pprof::{merge::scale_n, Interner, Profile, ProfileError};

/// One unit of a unit family: canonical name, lower-case aliases, factor to the family's base.
struct Unit {
    name: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

struct UnitType {
    default_name: &'static str,
    default_factor: f64,
    units: &'static [Unit],
}

static UNIT_TYPES: &[UnitType] = &[
    UnitType {
        default_name: "B",
        default_factor: 1.0,
        units: &[
            Unit { name: "B", aliases: &["b", "byte"], factor: 1.0 },
            Unit { name: "kB", aliases: &["kb", "kbyte", "kilobyte"], factor: 1024.0 },
            Unit { name: "MB", aliases: &["mb", "mbyte", "megabyte"], factor: 1048576.0 },
            Unit { name: "GB", aliases: &["gb", "gbyte", "gigabyte"], factor: 1073741824.0 },
            Unit { name: "TB", aliases: &["tb", "tbyte", "terabyte"], factor: 1099511627776.0 },
            Unit { name: "PB", aliases: &["pb", "pbyte", "petabyte"], factor: 1125899906842624.0 },
        ],
    },
    UnitType {
        default_name: "s",
        default_factor: 1e9,
        units: &[
            Unit { name: "ns", aliases: &["ns", "nanosecond"], factor: 1.0 },
            Unit { name: "us", aliases: &["μs", "us", "microsecond"], factor: 1e3 },
            Unit { name: "ms", aliases: &["ms", "millisecond"], factor: 1e6 },
            Unit { name: "s", aliases: &["s", "sec", "second"], factor: 1e9 },
            Unit { name: "hrs", aliases: &["hour", "hr"], factor: 3600e9 },
        ],
    },
    UnitType {
        default_name: "GCU",
        default_factor: 1.0,
        units: &[
            Unit { name: "n*GCU", aliases: &["nanogcu"], factor: 1e-9 },
            Unit { name: "u*GCU", aliases: &["microgcu"], factor: 1e-6 },
            Unit { name: "m*GCU", aliases: &["milligcu"], factor: 1e-3 },
            Unit { name: "GCU", aliases: &["gcu"], factor: 1.0 },
            Unit { name: "k*GCU", aliases: &["kilogcu"], factor: 1e3 },
            Unit { name: "M*GCU", aliases: &["megagcu"], factor: 1e6 },
            Unit { name: "G*GCU", aliases: &["gigagcu"], factor: 1e9 },
            Unit { name: "T*GCU", aliases: &["teragcu"], factor: 1e12 },
            Unit { name: "P*GCU", aliases: &["petagcu"], factor: 1e15 },
        ],
    },
];

impl UnitType {
    fn sniff(&self, unit: &str) -> Option<&Unit> {
        let mut u = unit.to_lowercase();
        if u.len() > 2 && u.ends_with('s') {
            u.pop();
        }
        self.units.iter().find(|x| x.aliases.contains(&u.as_str()))
    }

    fn auto_scale(&self, value: f64) -> Option<(f64, &'static str)> {
        let mut f = 0.0;
        let mut name = "";
        for u in self.units {
            if u.factor >= f && value / u.factor >= 1.0 {
                f = u.factor;
                name = u.name;
            }
        }
        if f == 0.0 {
            None
        } else {
            Some((value / f, name))
        }
    }

    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, &'static str)> {
        let from = self.sniff(from)?;
        let v = value as f64 * from.factor;
        if to == "minimum" || to == "auto" {
            return Some(
                self.auto_scale(v)
                    .unwrap_or((v / self.default_factor, self.default_name)),
            );
        }
        match self.sniff(to) {
            Some(t) => Some((v / t.factor, t.name)),
            None => Some((v / self.default_factor, self.default_name)),
        }
    }
}

/// True when `unit` belongs to one of pprof's unit families (bytes, time, GCU).
pub fn is_known_unit(unit: &str) -> bool {
    UNIT_TYPES.iter().any(|t| t.sniff(unit).is_some())
}

/// True when two units are in the same family (or equal).
pub fn compatible_units(a: &str, b: &str) -> bool {
    a == b || UNIT_TYPES.iter().any(|t| t.sniff(a).is_some() && t.sniff(b).is_some())
}

/// Converts `value` from `from_unit` to `to_unit` ("minimum"/"auto" pick a readable unit).
/// The returned unit is empty when uninteresting (counts, unknown units asked as "minimum").
pub fn scale(value: i64, from_unit: &str, to_unit: &str) -> (f64, String) {
    if value < 0 && value.wrapping_neg() > 0 {
        let (v, u) = scale(-value, from_unit, to_unit);
        return (-v, u);
    }
    for ut in UNIT_TYPES {
        if let Some((v, u)) = ut.convert(value, from_unit, to_unit) {
            return (v, u.to_string());
        }
    }
    match to_unit {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, String::new()),
        _ => (value as f64, to_unit.to_string()),
    }
}

/// `measurement.Label`: auto-scaled label.
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "auto")
}

/// `measurement.ScaledLabel`: `%.2f` without a trailing `.00`, then the unit.
pub fn scaled_label(value: i64, from_unit: &str, to_unit: &str) -> String {
    let (v, u) = scale(value, from_unit, to_unit);
    let mut s = format!("{v:.2}");
    if let Some(t) = s.strip_suffix(".00") {
        s = t.to_string();
    }
    if s == "0" || s == "-0" {
        return "0".to_string();
    }
    s + &u
}

/// `measurement.Percentage`: `  100%`, `%5.2f%%` (≥ 1) or `%5.2g%%`.
pub fn percentage(value: i64, total: i64) -> String {
    let mut ratio = 0.0;
    if total != 0 {
        ratio = (value as f64 / total as f64).abs() * 100.0;
    }
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_string()
    } else if ratio >= 1.0 {
        format!("{ratio:5.2}%")
    } else {
        format!("{:>5}%", go_format_g(ratio, 2))
    }
}

/// Go's `%.<prec>g` for finite values.
pub fn go_format_g(x: f64, prec: usize) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let prec = prec.max(1);
    let e = format!("{:.*e}", prec - 1, x);
    let (mant, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    if exp < -4 || exp >= prec as i32 {
        let mut m = mant.to_string();
        if m.contains('.') {
            while m.ends_with('0') {
                m.pop();
            }
            if m.ends_with('.') {
                m.pop();
            }
        }
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        let mut s = format!("{x:.decimals$}");
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        s
    }
}

/// Go's `%v` of a float64: the shortest digits that read back the same, in `%e` form when the
/// exponent is below -4 or at least 6 (`0.005`, `2.5`, `1e+06`, `1e-05`).
pub fn go_format_v(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return go_format_g(x, 1);
    }
    let e = format!("{x:e}");
    let (mant, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    if (-4..6).contains(&exp) {
        return format!("{x}");
    }
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// pprof's `compatibleValueTypes`: same type (a trailing `s` ignored) and units of one family.
fn compatible_value_types(t1: &str, u1: &str, t2: &str, u2: &str) -> bool {
    t1.strip_suffix('s').unwrap_or(t1) == t2.strip_suffix('s').unwrap_or(t2) && compatible_units(u1, u2)
}

/// pprof's `CommonValueType`: the finest unit among compatible `(type, unit)` pairs (None for
/// at most one pair: nothing to convert).
pub fn common_value_type(ts: &[(String, String)]) -> Result<Option<(String, String)>, String> {
    if ts.len() <= 1 {
        return Ok(None);
    }
    let mut min = ts[0].clone();
    for t in &ts[1..] {
        if !compatible_value_types(&min.0, &min.1, &t.0, &t.1) {
            return Err(format!("incompatible types: {{{} {}}} {{{} {}}}", min.0, min.1, t.0, t.1));
        }
        if scale(1, &t.1, &min.1).0 < 1.0 {
            min = t.clone();
        }
    }
    Ok(Some(min))
}

/// pprof's `ScaleProfiles`: converts every profile to the finest common unit of each sample type
/// (and of the period type), so that they can be merged.
pub fn scale_profiles(ps: &mut [Profile]) -> Result<(), ProfileError> {
    let merr = |m: String| ProfileError::Merge(m);
    if ps.is_empty() {
        return Ok(());
    }
    let pts: Vec<(String, String)> =
        ps.iter().map(|p| (p.str(p.period_type.kind).to_string(), p.str(p.period_type.unit).to_string())).collect();
    let period_type = common_value_type(&pts).map_err(|e| merr(format!("period type: {e}")))?;
    let n = ps[0].sample_types.len();
    for p in &ps[1..] {
        if p.sample_types.len() != n {
            return Err(merr(format!("inconsistent samples type count: {} != {}", n, p.sample_types.len())));
        }
    }
    let mut common = Vec::with_capacity(n);
    for i in 0..n {
        let ts: Vec<(String, String)> = ps
            .iter()
            .map(|p| (p.str(p.sample_types[i].kind).to_string(), p.str(p.sample_types[i].unit).to_string()))
            .collect();
        common.push(common_value_type(&ts).map_err(|e| merr(format!("sample types: {e}")))?);
    }
    for p in ps.iter_mut() {
        let mut it = Interner::new(p);
        if let Some((_, unit)) = &period_type {
            let from = p.str(p.period_type.unit).to_string();
            p.period = scale(p.period, &from, unit).0 as i64;
            p.period_type.unit = it.intern(p, unit);
        }
        let mut ratios = vec![1.0; n];
        for i in 0..n {
            if let Some((_, unit)) = &common[i] {
                let from = p.str(p.sample_types[i].unit).to_string();
                ratios[i] = scale(1, &from, unit).0;
                p.sample_types[i].unit = it.intern(p, unit);
            }
        }
        scale_n(p, &ratios).map_err(|e| merr(format!("scale: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(scaled_label(1_100_000_000, "nanoseconds", "minimum"), "1.10s");
        assert_eq!(scaled_label(10_000_000, "nanoseconds", "s"), "0.01s");
        assert_eq!(scaled_label(65536000, "bytes", "minimum"), "62.50MB");
        assert_eq!(scaled_label(1000, "count", "minimum"), "1000");
        assert_eq!(scaled_label(0, "bytes", "minimum"), "0");
        assert_eq!(scaled_label(-5, "cycles", "minimum"), "-5");
        assert_eq!(scaled_label(1000, "milliseconds", "minimum"), "1s");
        assert_eq!(label(102400, "bytes"), "100kB");
    }

    #[test]
    fn percentages() {
        assert_eq!(percentage(112, 112), "  100%");
        assert_eq!(percentage(1, 112), " 0.89%");
        assert_eq!(percentage(1, 200), "  0.5%");
        assert_eq!(percentage(0, 200), "    0%");
        assert_eq!(percentage(0, 0), "    0%");
        assert_eq!(percentage(110, 112), "98.21%");
        assert_eq!(percentage(1, 10_000_000), "1e-05%");
    }

    #[test]
    fn go_v() {
        for (x, want) in [(0.005, "0.005"), (2.5, "2.5"), (1.0, "1"), (1e6, "1e+06"), (1e-5, "1e-05"), (-123456.5, "-123456.5"), (0.0, "0")] {
            assert_eq!(go_format_v(x), want);
        }
    }
}
