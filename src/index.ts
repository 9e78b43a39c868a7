// goroscope's typed Node API.
export { analyzeStacks, Findings, StackDump, StacksReport } from './stacks'
export type {
  AnalyzeOptions,
  Progress,
  ProgressOptions,
  Candidate,
  ClassCount,
  CreatedBy,
  FindingsJSON,
  Frame,
  Group,
  GroupDelta,
  Lock,
  LimitOptions,
  LockKind,
  Race,
  RaceAccess,
  RaceCreation,
  StacksJSON,
  StacksOptions,
  StateClass,
  WaitCycle,
  WaitEdge,
  WaitEdgeKind,
  WaitFor,
  WaitMinutes,
  WaitNode,
  WaitNodeKind,
  Warning,
} from './stacks'
export { GoroscopeError } from './native'
export { Profile, ProfileReport, runPprof, pprofArgs } from './profile'
export type {
  HungFunction,
  InlineMark,
  LabelValues,
  ProfileInfo,
  ProfileReportJSON,
  ReportKind,
  ReportOptions,
  TagKey,
  TagValue,
  TopRow,
  TraceSample,
  TreeEdge,
  TreeNode,
  ValueType,
} from './profile'
export { symbolize, symbolizeRemote, fetchSymbols } from './symbolize'
export type { RemoteOptions, SymbolizeOptions, SymbolizeResult, SymbolizeStats } from './symbolize'
// Node bug-report bundles: collecting from a live node, and reporting on any bundle.
export { collect } from './collect/run'
export type { CollectOptions, CollectResult } from './collect/run'
export { discover as discoverApi, parseApi } from './collect/target'
export type { Target } from './collect/target'
export type { Manifest, ManifestItem, Redaction, RedactedFile } from './bundle/manifest'
export { analyzeSource } from './report-node/analyze'
export type { NodeReport, ProfileSummary, GoroutineSummary, FileEntry } from './report-node/analyze'
export { readSource } from './bundle/source'
export type { Entry, Skipped, ReadLimits, SourceContents } from './bundle/entry'
export { redactBundle, redactEntries, redactPath } from './bundle/redact'
export type { RedactResult } from './bundle/redact'
