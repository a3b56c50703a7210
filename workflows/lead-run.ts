/**
 * Everything one run of a lead workflow holds in memory, and every change that
 * signals, updates and the main loop make to it. Pure and synchronous: no
 * Temporal API, no clock (times are passed in), so each transition can be
 * tested on its own. The workflow performs the effects these changes call for.
 */
import type { AgentInput, ChatMessage, PendingPayment } from '../domain/conversation';
import type { Decision } from '../domain/decision';
import type { LineRequest } from '../domain/order-lines';
import type { LeadSettings } from '../domain/lead-settings';
import { nextStage } from '../domain/stage';
import type { CheckoutInput, DeliveryFailure, InboundMessage, LeadState, LeadWorkflowInput, PaymentResult } from './contract';
import { followUpAt, nextDeadline, windowClosesAfter, type Deadline } from './deadlines';
import { agentInput, initialState, learnFrom, recordDeliveryFailure, remember, SEEN_IDS_KEPT } from './lead-state';
import { outboundKey, type SayMeta, type Speaker } from './outbound-message';
import { assessDecision, type TurnAssessment } from './turn-rules';

/** Something the merchant must hear about; `key` is unique per event within the lead. */
export interface Notice {
  key: string;
  body: Record<string, unknown>;
}

export interface Attachment {
  messageId: string;
  media: NonNullable<InboundMessage['media']>;
}

/** The main loop's next piece of work, in the order it is done. */
export type Work =
  | { kind: 'resend'; text: string; sender: Speaker; meta: SayMeta }
  | { kind: 'answer'; message: InboundMessage }
  | { kind: 'attachment'; attachment: Attachment };

export class LeadRun {
  readonly state: LeadState;
  /** Customer messages waiting for a bot turn, oldest first. */
  readonly inbox: InboundMessage[];
  /** Queued by handlers, sent to the merchant by the main loop. */
  readonly notices: Notice[] = [];
  /** Our messages to say again through a template: the window closed before they were delivered. */
  readonly resends: ChatMessage[] = [];
  /** Customer attachments to fetch once nothing waits for an answer. */
  readonly attachments: Attachment[] = [];
  settings: LeadSettings | undefined;
  /** The projection and search attributes are behind the state. */
  dirty = true;
  /** Counts changes, so the main loop's wait ends whenever anything happens. */
  wake = 0;
  /** A checkout child is being started: a second offer meanwhile is not priced. */
  openingCheckout = false;
  /** The merchant changed the playbook since the settings were loaded. */
  private settingsStale = false;
  private readonly seen: Set<string>;
  private readonly repliesSeen: Set<string>;

  constructor(
    input: LeadWorkflowInput,
    readonly ids: { conversationId: string; firstRunId: string },
    now: Date,
  ) {
    // Defaults first, so state carried from an older version gains fields added since.
    this.state = { ...initialState(input, now, 'en'), ...input.carried };
    this.seen = new Set(input.seenMessageIds ?? []);
    this.repliesSeen = new Set(input.seenReplyIds ?? []);
    this.inbox = [...(input.inbox ?? [])];
  }

  snapshot(): LeadState {
    return { ...this.state, queued: this.inbox.length };
  }

  /** What the next run starts from. */
  carry(): Pick<LeadWorkflowInput, 'carried' | 'inbox' | 'seenMessageIds' | 'seenReplyIds'> {
    return {
      carried: { ...this.state, queued: 0 },
      inbox: this.inbox,
      seenMessageIds: [...this.seen].slice(-SEEN_IDS_KEPT),
      seenReplyIds: [...this.repliesSeen].slice(-SEEN_IDS_KEPT),
    };
  }

  useSettings(settings: LeadSettings, carried: boolean): void {
    this.settings = settings;
    // A language the merchant stopped serving gives way to the default one.
    if (!carried || !settings.languages.includes(this.state.language)) this.state.language = settings.defaultLanguage;
  }

  /** Settings are reloaded by the main loop, between turns, so a turn is decided under one set of rules. */
  settingsChanged(): void {
    this.settingsStale = true;
    this.wake++;
  }

  /** True once per change: the main loop reloads the settings then. */
  takeSettingsChange(): boolean {
    const stale = this.settingsStale;
    this.settingsStale = false;
    return stale;
  }

  /** Queries between a change and the next loop pass already show the right schedule. */
  changed(): void {
    this.dirty = true;
    this.wake++;
    if (this.settings) this.planFollowUp();
  }

  planFollowUp(): Deadline | null {
    if (!this.settings) return null;
    const deadline = nextDeadline(this.state, this.settings);
    const at = followUpAt(deadline);
    if (this.state.nextFollowUpAt !== at) {
      this.state.nextFollowUpAt = at;
      this.dirty = true;
    }
    return deadline;
  }

  /** Reports whether the projection must be written, and takes that job. */
  takeDirty(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }

  botHolds(): boolean {
    return this.state.mode === 'bot' && !this.state.closed;
  }

  // ---- signals and updates ---------------------------------------------------

  /** Webhooks retry: an id already seen is the same message. */
  receive(msg: InboundMessage | undefined): void {
    if (!msg?.id || typeof msg.text !== 'string' || this.seen.has(msg.id)) return;
    this.seen.add(msg.id);
    const { state } = this;
    remember(state, { id: msg.id, from: 'customer', text: msg.text, at: msg.at });
    if (msg.media?.length) this.attachments.push({ messageId: msg.id, media: msg.media });
    state.lastCustomerMessageAt = msg.at;
    if (state.channel === 'whatsapp') state.windowClosesAt = windowClosesAfter(msg.at);
    state.followUpsSent = 0;
    if (state.mode === 'bot') this.inbox.push(msg);
    else this.notices.push({ key: `inbound:${msg.id}`, body: { reason: 'customer_wrote_while_human' } });
    this.changed();
  }

  takeOver(by: string): void {
    this.state.mode = 'human';
    this.state.humanAgent = by;
    this.state.handOffReason = this.state.handOffReason ?? 'taken_over';
    // The person now holding the lead reads what is waiting in the transcript.
    this.inbox.length = 0;
    this.changed();
  }

  release(): void {
    this.state.mode = 'bot';
    this.state.humanAgent = null;
    this.state.handOffReason = null;
    // A customer left waiting while the human held the lead gets an answer now.
    const last = this.state.lastMessages.at(-1);
    if (last?.from === 'customer' && !this.inbox.some((m) => m.id === last.id)) this.inbox.push({ id: last.id, text: last.text, at: last.at });
    this.changed();
  }

  /** Whether a person's reply with this client id was already taken; a reply without one is always new. */
  hasReply(clientId: string | undefined): boolean {
    return clientId !== undefined && this.repliesSeen.has(clientId);
  }

  /** True the first time a reply is seen: an app retrying a send it never heard back about sends nothing twice. */
  firstReply(clientId: string | undefined): boolean {
    if (clientId === undefined) return true;
    if (this.repliesSeen.has(clientId)) return false;
    this.repliesSeen.add(clientId);
    return true;
  }

  /**
   * Writing to the customer is taking the lead, decided when the person writes,
   * not when the send gets its turn: a later release must stand.
   */
  humanWrites(by: string): void {
    if (this.state.mode === 'bot') this.takeOver(by);
    // A lead the bot handed off is nobody's until someone answers; the reply's own record marks the state changed.
    else if (!this.state.humanAgent) this.state.humanAgent = by;
  }

  close(reason: string, now: Date): void {
    if (this.state.closed) return;
    this.state.closed = { reason, at: now.toISOString() };
    this.state.stage = nextStage(this.state.stage, { type: 'closed' });
    this.changed();
  }

  handOff(reason: string): void {
    if (this.state.mode === 'human') return;
    this.state.mode = 'human';
    this.state.handOffReason = reason;
    this.changed();
    this.notices.push({ key: `handoff:${this.state.turns}:${reason}`, body: { reason } });
  }

  /** Past the plan's quota the customer's message is kept and a person is asked to answer it. */
  quotaExceeded(message: string): void {
    this.notices.push({ key: 'quota', body: { reason: 'quota_exceeded', detail: message } });
    this.handOff('quota_exceeded');
    // The person reads them in the transcript, as after any hand-off.
    this.inbox.length = 0;
  }

  deliveryFailed(failure: DeliveryFailure): void {
    const lost = this.state.lastMessages.find((m) => m.id === failure.messageId && m.from !== 'customer');
    if (failure.templateRequired && lost) {
      // The window closed before the provider delivered it: say it again through a template.
      this.state.windowClosesAt = null;
      this.resends.push(lost);
    } else {
      recordDeliveryFailure(this.state, failure);
      this.notices.push({ key: `undelivered:${failure.messageId}`, body: { reason: 'message_undelivered', detail: failure.reason } });
    }
    this.changed();
  }

  checkoutOpened(payment: PendingPayment): void {
    this.openingCheckout = false;
    this.state.pendingPayment = payment;
    this.state.stage = nextStage(this.state.stage, { type: 'checkout_opened' });
    this.changed();
  }

  paymentResult(result: PaymentResult): void {
    this.openingCheckout = false;
    const { state } = this;
    if (state.pendingPayment?.orderId === result.orderId) state.pendingPayment = null;
    if (result.status === 'paid') state.stage = nextStage(state.stage, { type: 'paid' });
    else if (result.status === 'mismatch') this.handOff('payment_mismatch');
    else if (result.status === 'disputed') this.handOff('payment_disputed');
    else if (result.status === 'refunded') state.stage = nextStage(state.stage, { type: 'refunded' });
    // Nothing was opened: the lead stays where it was, and the customer was told the items are gone.
    else if (result.status === 'out_of_stock') return this.changed();
    else state.stage = nextStage(state.stage, { type: 'checkout_failed' });
    this.changed();
  }

  // ---- the main loop ---------------------------------------------------------

  /** Resends first, then answers, then attachments: a slow download never delays an answer. */
  nextWork(): Work | null {
    const resend = this.resends.shift();
    if (resend) {
      const sender = resend.from === 'human' ? 'human' : 'bot';
      return { kind: 'resend', text: resend.text, sender, meta: { purpose: sender === 'human' ? 'human_reply' : 'reply' } };
    }
    if (this.state.mode === 'bot' && this.inbox.length > 0) return { kind: 'answer', message: this.inbox.shift()! };
    const attachment = this.attachments.shift();
    return attachment ? { kind: 'attachment', attachment } : null;
  }

  hasWork(): boolean {
    return (this.state.mode === 'bot' && this.inbox.length > 0) || this.resends.length > 0 || this.attachments.length > 0;
  }

  /** The window closing changes what may be sent; the projection shows it. */
  windowClosed(): void {
    this.state.windowClosesAt = null;
    this.dirty = true;
  }

  /** The merchant's copy of a notice; the key makes a repeated send one notification. */
  nextNotice(): { dedupeKey: string; body: Record<string, unknown> } | undefined {
    const n = this.notices.shift();
    return n && { dedupeKey: `${this.ids.conversationId}:${this.ids.firstRunId}:${n.key}`, body: n.body };
  }

  // ---- turns -------------------------------------------------------------------

  /** What the agent sees for this message, or null when the bot no longer answers. */
  startTurn(msg: InboundMessage): AgentInput | null {
    if (!this.botHolds()) return null;
    this.state.turns++;
    return agentInput(this.state, this.ids.conversationId, { id: msg.id, from: 'customer', text: msg.text, at: msg.at });
  }

  /** Folds the decision into the lead and weighs it. */
  learn(decision: Decision): TurnAssessment {
    learnFrom(this.state, decision, this.settings!.languages);
    this.dirty = true;
    const { objectionCount, pendingPayment } = this.state;
    return assessDecision(decision, this.settings!, { objectionCount, pendingPayment, openingCheckout: this.openingCheckout });
  }

  /** The follow-up's text, or null when the bot no longer speaks for the lead. */
  startFollowUp(): string | null {
    if (!this.botHolds()) return null;
    this.state.followUpsSent++;
    return this.settings!.followUp[this.state.language];
  }

  startCheckout(orderId: string, sku: string, quantity: number, items?: LineRequest[]): CheckoutInput {
    this.openingCheckout = true;
    const { state } = this;
    return {
      orderId,
      merchantId: state.merchantId,
      conversationId: this.ids.conversationId,
      channel: state.channel,
      customerKey: state.customerKey,
      language: state.language,
      sku,
      quantity,
      ...(items && items.length > 1 ? { items } : {}),
      ...(state.agreedDiscountPercent ? { discountPercent: state.agreedDiscountPercent } : {}),
      remindBeforeMs: this.settings!.checkoutRemindBeforeMs,
    };
  }

  /**
   * Remembered before it goes out, so a release meanwhile knows the customer is
   * not waiting; the key is fixed here so every retry of the send is the same send.
   */
  recordOutbound(text: string, sender: Speaker, now: Date): string {
    const key = outboundKey(this.ids.conversationId, this.ids.firstRunId, ++this.state.outboundSeq);
    remember(this.state, { id: key, from: sender, text, at: now.toISOString() });
    this.dirty = true;
    this.planFollowUp();
    return key;
  }

  /** Undeliverable is a fact to show the merchant, never a reason to stop the conversation. */
  sendFailed(key: string, reason: string, now: Date): void {
    recordDeliveryFailure(this.state, { messageId: key, reason, at: now.toISOString() });
    this.notices.push({ key: `undelivered:${key}`, body: { reason: 'message_undelivered', detail: reason } });
    this.changed();
  }
}
