import { data, type BodyOf, type QueryOf, type ResponseOf } from '@client/api/http';
import { http } from './client';

export type Product = ResponseOf<'/api/v1/products/{sku}', 'put'>;
export type ProductInput = BodyOf<'/api/v1/products/{sku}', 'put'>;
/** A product as a form edits it: the body of a save plus the SKU it is saved under. */
export type ProductDraft = ProductInput & { sku: string };
export type ProductImport = ResponseOf<'/api/v1/products/imports/{importId}', 'get'>;

export const listProducts = (query: QueryOf<'/api/v1/products', 'get'> = {}) => data(http.GET('/api/v1/products', { params: { query } }));
export const saveProduct = (sku: string, body: ProductInput) => data(http.PUT('/api/v1/products/{sku}', { params: { path: { sku } }, body }));
export const deleteProduct = (sku: string) => data(http.DELETE('/api/v1/products/{sku}', { params: { path: { sku } } }));
export const getImport = (importId: string) => data(http.GET('/api/v1/products/imports/{importId}', { params: { path: { importId } } }));
/** The CSV goes as is (`text/csv`); the server parses it and reports progress as live events. */
export const startImport = (csv: string) => data(http.POST('/api/v1/products/imports', { body: csv, bodySerializer: (b: string) => b, headers: { 'content-type': 'text/csv' } }));
