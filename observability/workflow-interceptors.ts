/**
 * OpenTelemetry's workflow interceptors, shaped for conversations that last
 * months. Bundled into the workflows (never imported by Node code), so it may
 * import only what a workflow may.
 *
 * Two changes to `@temporalio/interceptors-opentelemetry`'s own module:
 * - `RunWorkflow` would be a span as long as the conversation, exported (and
 *   seen) only when it ends, with every turn's spans hanging under a parent the
 *   collector never receives. Here it marks the start of a run and ends at once.
 * - A turn runs in the workflow's main loop, not in the `inbound` signal
 *   handler, so its activities would belong to whichever trace started the run.
 *   Here work scheduled outside a handler joins the trace of the latest customer
 *   message (its `HandleSignal:inbound` span): one trace per customer message.
 *
 * Neither adds a command or a yield, so tracing can be switched on and off
 * under running conversations.
 */
import * as otel from '@opentelemetry/api';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
  SpanName,
  SPAN_DELIMITER,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  workflowInfo,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type StartChildWorkflowExecutionInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** Signals that carry a customer's message and so start a turn. */
const TURN_SIGNALS = new Set(['inbound']);

/** The context of the latest customer message; module state is per workflow execution in the sandbox. */
let turn: otel.Context | undefined;

/** Inside a handler its own span is the parent; elsewhere (the main loop) the latest message's. */
function parentFor(): otel.Context {
  const active = otel.context.active();
  return otel.trace.getSpan(active)?.isRecording() ? active : (turn ?? active);
}

class ConversationInbound extends OpenTelemetryInboundInterceptor {
  override async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = this.tracer.startSpan(`${SpanName.WORKFLOW_EXECUTE}${SPAN_DELIMITER}${workflowInfo().workflowType}`, {}, parent);
    turn = otel.trace.setSpan(parent, span);
    const run = otel.context.with(turn, () => next(input));
    span.end();
    return await run;
  }

  override async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (!TURN_SIGNALS.has(input.signalName)) return super.handleSignal(input, next);
    return super.handleSignal(input, (i) => {
      turn = otel.context.active();
      return next(i);
    });
  }
}

class ConversationOutbound extends OpenTelemetryOutboundInterceptor {
  override scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return otel.context.with(parentFor(), () => super.scheduleActivity(input, next));
  }

  override scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return otel.context.with(parentFor(), () => super.scheduleLocalActivity(input, next));
  }

  override startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return otel.context.with(parentFor(), () => super.startChildWorkflowExecution(input, next));
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new ConversationInbound()],
  outbound: [new ConversationOutbound()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
