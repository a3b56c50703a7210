/** The merchant API's shapes, as the dashboard reads them (docs/merchant-api.md). */

export type Role = 'viewer' | 'agent' | 'admin' | 'owner';
export type Locale = 'en' | 'tr';
export type Channel = 'webchat' | 'whatsapp';
export type Stage = 'new' | 'engaged' | 'qualified' | 'negotiating' | 'checkout' | 'won' | 'lost';
export type Mode = 'bot' | 'human';

export const STAGES: Stage[] = ['new', 'engaged', 'qualified', 'negotiating', 'checkout', 'won', 'lost'];
export const ROLES: Role[] = ['viewer', 'agent', 'admin', 'owner'];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: string | null;
}

export interface Merchant {
  id: string;
  name: string;
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken?: string;
  user: User;
  merchant: Merchant;
}

export interface LeadProfile {
  name: string | null;
  need: string | null;
  budget: string | null;
  timeline: string | null;
  decisionMaker: string | null;
  interestedIn: string[];
}

export interface ConversationSummary {
  id: string;
  channel: Channel;
  stage: Stage;
  mode: Mode;
  needsHuman: boolean;
  score: number;
  language: string;
  lead: LeadProfile;
  messageCount: number;
  lastMessagePreview: string | null;
  lastMessageAt: string | null;
  updatedAt: string;
}

export interface TranscriptMessage {
  id: string;
  from: 'customer' | 'bot' | 'human';
  text: string;
  at: string;
  confidence?: number | null;
  intent?: string | null;
  author?: string | null;
  status?: string;
}

export interface PendingPayment {
  orderId: string;
  sku: string;
  name: string;
  quantity: number;
  amountMinor: number;
  currency: string;
  url: string;
  expiresAt: string;
}

export interface LeadState {
  stage: Stage;
  mode: Mode;
  humanAgent: string | null;
  handOffReason: string | null;
  lead: LeadProfile;
  score: number;
  language: string;
  pendingPayment: PendingPayment | null;
  nextFollowUpAt: string | null;
  closed: { reason: string; at: string } | null;
  windowClosesAt?: string | null;
  deliveryFailures?: { messageId: string; reason: string; at: string }[];
  [key: string]: unknown;
}

export interface TimelineEvent {
  kind: 'stage' | 'mode' | 'needs_human' | 'hand_off' | 'closed' | string;
  from: string | null;
  to: string | null;
  at: string;
}

export interface Order {
  id: string;
  sku: string;
  quantity: number;
  amountMinor: number;
  currency: string;
  status: string;
  provider: string;
  checkoutUrl: string | null;
  paidAt: string | null;
  createdAt: string;
}

export interface ConversationDetail {
  id: string;
  summary: ConversationSummary;
  state: LeadState | null;
  messages: TranscriptMessage[];
  timeline: TimelineEvent[];
  orders: Order[];
}

export interface Product {
  sku: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  tags: string[];
}

export interface ProductImport {
  id: string;
  status: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  imported: number;
  errors: { line: number; message: string }[];
}

export interface ChannelItem {
  id: string;
  provider: 'twilio' | 'meta' | string;
  address: string;
  active: boolean;
  createdAt: string;
}

export interface Template {
  id?: string;
  provider: 'twilio' | 'meta';
  name: string;
  language: string;
  category: 'utility' | 'marketing' | 'authentication';
  purpose: 'follow_up' | 'payment_reminder' | 'human_reply' | 'reply' | null;
  body: string;
  components?: unknown[];
  variableCount?: number;
  providerId?: string | null;
  status: 'draft' | 'pending' | 'approved' | 'rejected' | 'paused';
  updatedAt?: string;
  preview?: string;
}

export interface TeamMember {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
}

export interface Notification {
  id: string | number;
  kind?: string;
  title?: string;
  body?: unknown;
  message?: string;
  text?: string;
  conversationId?: string | null;
  createdAt?: string;
  at?: string;
  readAt?: string | null;
  read?: boolean;
  [key: string]: unknown;
}

export interface Plan {
  code: string;
  name: string;
  priceMinor: number;
  currency: string;
  conversationQuota: number;
  gracePercent?: number;
  marketplaceFeeBps?: number;
  active?: boolean;
}

export interface Invoice {
  id: string;
  number: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalMinor: number;
  status: string;
  issuedAt: string;
  paidAt: string | null;
  pdfUrl?: string;
}

export interface BillingOverview {
  plan: Plan | null;
  subscription: { planCode: string; status: string; currentPeriodStart: string; currentPeriodEnd: string; cancelAtPeriodEnd: boolean } | null;
  usage: { planCode: string; limit: number; used: number; remaining: number; state: 'ok' | 'grace' | 'exceeded'; message?: string; period?: { start: string; end: string } };
  invoices: Invoice[];
}

export interface MoneyAmount {
  currency: string;
  amountMinor: number;
}

export interface Analytics {
  period: { from: string; to: string };
  channel: string | null;
  conversations: number;
  won: number;
  conversionRate: number;
  funnel: { stage: Stage; reached: number }[];
  stages: { stage: Stage; count: number }[];
  revenue: {
    total: (MoneyAmount & { orders: number })[];
    refunded: MoneyAmount[];
    byDay: (MoneyAmount & { day: string; orders: number })[];
  };
  latency: { firstResponseMs: { p50: number | null; p90: number | null }; replyMs: { p50: number | null; p90: number | null } };
  handOff: { count: number; rate: number; reasons: { reason: string; count: number }[] };
  messagesPerConversation: { avg: number | null; p50: number | null };
  topObjections: { kind: string; count: number }[];
  byChannel: { channel: string; conversations: number; won: number; conversionRate: number; revenue: MoneyAmount[] }[];
}

/** Events pushed over /api/v1/live. */
export type LiveEvent =
  | { type: 'ready' }
  | { type: 'conversation'; conversationId: string; conversation: ConversationSummary }
  | { type: 'message'; conversationId: string; message: TranscriptMessage }
  | { type: 'order'; orderId: string; conversationId: string; status: string }
  | { type: 'import'; import: ProductImport };
