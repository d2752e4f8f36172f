export { FlowControl, FlowPausedError, FLOW_PAUSED, AUTH_FAILURE_CODES, type FlowControlOptions, type FlowStateEntry, type GuardOptions } from './flow-control';
export { flowControlRecord } from './flow-control.record';
export { FlowControlModule } from './flow-control.module';
