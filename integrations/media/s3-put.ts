import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3MediaConfig, S3Put } from './store';

/** The real S3 (or S3-compatible) upload behind the media store's one-method interface. */
export function s3Put(config: S3MediaConfig): S3Put {
  const client = new S3Client({ region: config.region, endpoint: config.endpoint, forcePathStyle: config.forcePathStyle, credentials: config.credentials });
  return async (params) => {
    await client.send(new PutObjectCommand(params));
  };
}
