import { data, type BodyOf, type QueryOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type OrderPage = ResponseOf<'/api/v1/orders', 'get'>;
export type OrderListItem = OrderPage['items'][number];
export type OrderDetail = ResponseOf<'/api/v1/orders/{orderId}', 'get'>;
export type OrderEvent = OrderDetail['timeline'][number];
export type OrderQuery = QueryOf<'/api/v1/orders', 'get'>;
export type RefundBody = BodyOf<'/api/v1/orders/{orderId}/refunds', 'post'>;

export const listOrders = (query: OrderQuery) => data(http.GET('/api/v1/orders', { params: { query } }));
export const getOrder = (orderId: string) => data(http.GET('/api/v1/orders/{orderId}', { params: { path: { orderId } } }));
/** `idempotencyKey` is made once per refund the merchant means: a repeated click or a retry sends the same one and refunds once. */
export const refundOrder = (orderId: string, body: RefundBody, idempotencyKey: string) =>
  data(http.POST('/api/v1/orders/{orderId}/refunds', { params: { path: { orderId }, header: { 'idempotency-key': idempotencyKey } }, body }));
