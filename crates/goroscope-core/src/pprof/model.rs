//! The in-memory profile: google/pprof's `profile.Profile`, with every string an index into the
//! profile's own string table (one allocation per unique string, as in profile.proto itself) and
//! every cross reference a dense index into the profile's vectors (ids are kept for `-raw`).

/// An index into `Profile::strings`; 0 is always "".
pub type Str = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ValueType {
    /// `type` in profile.proto (e.g. "cpu", "alloc_space").
    pub kind: Str,
    pub unit: Str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LabelValue {
    Str(Str),
    /// A numeric label and its unit (0 = none given).
    Num { value: i64, unit: Str },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub key: Str,
    pub value: LabelValue,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sample {
    /// Indices into `Profile::locations`, leaf first.
    pub locations: Vec<u32>,
    /// One value per sample type.
    pub values: Vec<i64>,
    pub labels: Vec<Label>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Mapping {
    pub id: u64,
    pub memory_start: u64,
    pub memory_limit: u64,
    pub file_offset: u64,
    pub filename: Str,
    pub build_id: Str,
    pub has_functions: bool,
    pub has_filenames: bool,
    pub has_line_numbers: bool,
    pub has_inline_frames: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Line {
    /// Index into `Profile::functions`.
    pub function: u32,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Location {
    pub id: u64,
    /// Index into `Profile::mappings`, None when mapping_id was 0.
    pub mapping: Option<u32>,
    pub address: u64,
    /// Innermost inlined callee first, the out-of-line caller last.
    pub lines: Vec<Line>,
    pub is_folded: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Function {
    pub id: u64,
    pub name: Str,
    pub system_name: Str,
    pub filename: Str,
    pub start_line: i64,
}

/// A whole profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The string table; `strings[0] == ""`.
    pub strings: Vec<String>,
    pub sample_types: Vec<ValueType>,
    /// `default_sample_type` (0 = unset).
    pub default_sample_type: Str,
    pub samples: Vec<Sample>,
    pub mappings: Vec<Mapping>,
    pub locations: Vec<Location>,
    pub functions: Vec<Function>,
    /// drop_frames / keep_frames regexps (0 = unset).
    pub drop_frames: Str,
    pub keep_frames: Str,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: ValueType,
    pub period: i64,
    pub comments: Vec<Str>,
    pub doc_url: Str,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            strings: vec![String::new()],
            sample_types: Vec::new(),
            default_sample_type: 0,
            samples: Vec::new(),
            mappings: Vec::new(),
            locations: Vec::new(),
            functions: Vec::new(),
            drop_frames: 0,
            keep_frames: 0,
            time_nanos: 0,
            duration_nanos: 0,
            period_type: ValueType::default(),
            period: 0,
            comments: Vec::new(),
            doc_url: 0,
        }
    }
}

impl Profile {
    pub fn str(&self, s: Str) -> &str {
        self.strings.get(s as usize).map_or("", |s| s.as_str())
    }

    /// About how many heap bytes the profile holds (capacities, not lengths; allocator
    /// overhead left out): what a garbage-collected owner should report as kept alive.
    pub fn heap_bytes(&self) -> usize {
        let samples: usize = self
            .samples
            .iter()
            .map(|s| {
                s.locations.capacity() * 4 + s.values.capacity() * 8 + s.labels.capacity() * size_of::<Label>()
            })
            .sum();
        let locations: usize = self.locations.iter().map(|l| l.lines.capacity() * size_of::<Line>()).sum();
        let strings: usize = self.strings.iter().map(String::capacity).sum();
        samples
            + locations
            + strings
            + self.samples.capacity() * size_of::<Sample>()
            + self.locations.capacity() * size_of::<Location>()
            + self.functions.capacity() * size_of::<Function>()
            + self.strings.capacity() * size_of::<String>()
            + self.mappings.capacity() * size_of::<Mapping>()
    }
}
