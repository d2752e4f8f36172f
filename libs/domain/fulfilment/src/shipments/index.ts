export { MILESTONE_RANK, milestoneOfStatus, laterMilestone, isIssue, type ShipmentMilestone, type ShipmentIssueKind } from './shipment-status';
export { readShipbobWebhook, canonicalTopic, type ShipmentFact, type ChargeFact, type WebhookReading } from './shipbob-webhook.parse';
export { mergeShipment, type ShipmentState } from './shipment-state';
export {
  planWriteBack,
  planShipmentProblems,
  SHIPMENT_PROBLEM_CLASSES,
  SHIPMENT_PROBLEM_CATEGORY,
  allocate,
  DEFAULT_EVENT_RULES,
  type PlanInput,
  type PoUpdateCommand,
  type ActiveOrder,
  type RequestedLine,
  type FusionPoUpdateKind,
  type ShipmentProblem,
} from './write-back.plan';
export type { PoAction, EventRuleValue } from './event-rule';
export { parseExactJson } from './shipbob-json';
