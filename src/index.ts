// goroscope's typed Node API.
export { analyzeStacks, StackDump, StacksReport } from './stacks'
export type {
  AnalyzeOptions,
  Candidate,
  ClassCount,
  CreatedBy,
  Frame,
  Group,
  GroupDelta,
  Lock,
  LockKind,
  Race,
  RaceAccess,
  RaceCreation,
  StacksJSON,
  StacksOptions,
  StateClass,
  WaitMinutes,
  Warning,
} from './stacks'
export { GoroscopeError } from './native'
export { Profile, ProfileReport, runPprof, pprofArgs } from './profile'
export type {
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
