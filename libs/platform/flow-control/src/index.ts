export { FlowControl, FlowPausedError, FLOW_PAUSED, type FlowControlOptions, type FlowStateEntry } from './flow-control';
export { flowControlRecord } from './flow-control.record';
