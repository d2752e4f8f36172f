export {
  SandboxServer,
  SandboxHttpError,
  seededRandom,
  type SandboxRequest,
  type SandboxResponse,
  type RouteHandler,
  type LoggedRequest,
  type FaultSwitches,
} from './sandbox.server';
export { WebhookDispatcher, type OutgoingWebhook, type DeliveryAttempt, type DispatcherOptions } from './webhook.dispatcher';
