/**
 * A local OpenTelemetry collector: `POST /v1/traces` in OTLP/HTTP, protobuf
 * (the exporters' default) or JSON, gzip or not, decoded into flat spans.
 *
 * The protobuf messages are declared here from opentelemetry-proto
 * (`collector/trace/v1`, `trace/v1`, `common/v1`, `resource/v1`) with the same
 * field numbers, and decoded with protobufjs, so the peer reads the bytes the
 * exporter puts on the wire rather than trusting the exporter's own types.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const root = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
const RequestType = root.lookupType('otlp.ExportTraceServiceRequest');
const ResponseType = root.lookupType('otlp.ExportTraceServiceResponse');

/** SpanKind as numbered in the proto: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  /** The resource's `service.name`. */
  service: string;
  scope: string;
  attributes: Record<string, unknown>;
}

export interface RunningOtlpPeer {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the exporter appends /v1/traces. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Content types of the exports received, to show which encoding was decoded. */
  contentTypes: string[];
  close(): Promise<void>;
}

type Wire = Record<string, unknown>;

/** Protobuf ids are bytes; OTLP/JSON writes them as hex (the OTel JS exporter) or, in the spec's JSON mapping, base64. */
function id(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value !== 'string' || value === '') return '';
  return /^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16) ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
}

function anyValue(v: Wire | undefined): unknown {
  if (!v) return undefined;
  const s = v.stringValue ?? v.boolValue ?? v.doubleValue;
  if (s !== undefined && s !== null) return s;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.arrayValue) return ((v.arrayValue as Wire).values as Wire[] | undefined)?.map(anyValue) ?? [];
  if (v.bytesValue) return id(v.bytesValue);
  return undefined;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (list as Wire[] | undefined) ?? []) out[kv.key as string] = anyValue(kv.value as Wire | undefined);
  return out;
}

function flatten(request: Wire): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of (request.resourceSpans as Wire[] | undefined) ?? []) {
    const service = String(attributes((rs.resource as Wire | undefined)?.attributes)['service.name'] ?? '');
    for (const ss of (rs.scopeSpans as Wire[] | undefined) ?? []) {
      const scope = String((ss.scope as Wire | undefined)?.name ?? '');
      for (const s of (ss.spans as Wire[] | undefined) ?? []) {
        spans.push({
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          service,
          scope,
          attributes: attributes(s.attributes),
        });
      }
    }
  }
  return spans;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function startOtlpPeer(): Promise<RunningOtlpPeer> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const raw = await body(req);
      try {
        if (type === 'application/x-protobuf') {
          spans.push(...flatten(RequestType.toObject(RequestType.decode(raw), { longs: String, defaults: false }) as Wire));
          contentTypes.push(type);
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(ResponseType.encode(ResponseType.create({})).finish()));
        } else if (type === 'application/json') {
          spans.push(...flatten(JSON.parse(raw.toString('utf8')) as Wire));
          contentTypes.push(type);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          res.writeHead(415).end();
        }
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
