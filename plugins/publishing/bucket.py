"""A prefix of an S3-compatible bucket, through boto3 (AWS's own client, which Aliyun OSS,
Tencent COS, Cloudflare R2 and MinIO all answer).

boto3 reads the endpoint, region and credentials from the environment as the AWS CLI does:
AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or a profile).
"""

import gzip
import json
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# boto3 sends CRC checksum headers by default since 1.36, which some S3-compatible stores
# refuse; checksums only where the API requires them (the AWS CLI's own advice for them).
CONFIG = Config(
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
    retries={"max_attempts": 8, "mode": "standard"},
    max_pool_connections=32,
)
REFUSED = {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404", "409", "412"}
UNSUPPORTED = {"NotImplemented", "InvalidArgument", "InvalidRequest", "501"}  # a store without conditional writes
BATCH = 1000  # DeleteObjects takes at most a thousand keys


class BucketError(Exception):
    pass


@dataclass
class Bucket:
    name: str
    prefix: str  # "" or "edition/"
    client: object = None

    @classmethod
    def parse(cls, url, client=None):
        """s3://bucket/prefix (the prefix may be empty: the bucket's root)."""
        scheme, _, rest = str(url).partition("://")
        name, _, prefix = rest.partition("/")
        if scheme != "s3" or not name:
            raise BucketError(f"{url}: not a bucket — s3://bucket or s3://bucket/prefix")
        prefix = prefix.strip("/")
        return cls(name, prefix + "/" if prefix else "", client or boto3.client("s3", config=CONFIG))

    def __str__(self):
        return f"s3://{self.name}/{self.prefix}"

    def key(self, path):
        return self.prefix + path

    def put(self, path, body, **headers):
        return self.client.put_object(Bucket=self.name, Key=self.key(path), Body=body, **headers)["ETag"]

    def get(self, path):
        """The object's bytes (as stored: not inflated) and ETag, or None if there is none."""
        try:
            answer = self.client.get_object(Bucket=self.name, Key=self.key(path))
        except ClientError as error:
            if code(error) in ("NoSuchKey", "404"):
                return None
            raise
        return answer["Body"].read(), answer["ETag"]

    def copy(self, source, path, headers=None):
        """Copy an object inside the bucket, server-side; with headers, the copy gets those instead of the source's."""
        extra = {"MetadataDirective": "REPLACE", **headers} if headers is not None else {}
        self.client.copy_object(Bucket=self.name, Key=self.key(path), CopySource={"Bucket": self.name, "Key": self.key(source)}, **extra)

    def delete(self, paths):
        paths = list(paths)
        for start in range(0, len(paths), BATCH):
            chunk = [{"Key": self.key(path)} for path in paths[start : start + BATCH]]
            answer = self.client.delete_objects(Bucket=self.name, Delete={"Objects": chunk, "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise BucketError(f"{self}: could not delete {len(answer['Errors'])} object(s), first {first.get('Key')}: {first.get('Message')}")

    def list(self, path):
        """Every path under path (a folder, ending in a slash)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=self.key(path))
        return [item["Key"][len(self.prefix) :] for page in pages for item in page.get("Contents", ())]

    def read_json(self, path):
        found = self.get(path)
        if found is None:
            return None
        body = found[0]
        return json.loads(gzip.decompress(body) if path.endswith(".gz") else body)

    def write_json(self, path, value):
        body = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        if path.endswith(".gz"):
            body = gzip.compress(body, mtime=0)
        self.put(path, body, ContentType="application/gzip" if path.endswith(".gz") else "application/json", CacheControl="no-store")

    def lock_store(self, path):
        return BucketLockStore(self, path)


def code(error):
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass
class BucketLockStore:
    """A lock object made with conditional writes (If-None-Match, If-Match): AWS S3, R2 and MinIO
    do them. A store that ignores them still has the lock read back after each write."""

    bucket: Bucket
    path: str

    def _put(self, text, expected, **condition):
        try:
            return self.bucket.put(self.path, text.encode(), ContentType="application/json", CacheControl="no-store", **condition)
        except ClientError as error:
            if code(error) in REFUSED:
                return None
            if code(error) not in UNSUPPORTED:
                raise
        # the store refuses the condition itself: check, then write (the lock reads it back)
        found = self.read()
        return self._put(text, expected) if (found[1] if found else None) == expected else None

    def create(self, text):
        return self._put(text, None, IfNoneMatch="*")

    def read(self):
        found = self.bucket.get(self.path)
        return (found[0].decode("utf-8", "replace"), found[1]) if found else None

    def replace(self, text, tag):
        return self._put(text, tag, IfMatch=tag)

    def remove(self, tag):
        self.bucket.client.delete_object(Bucket=self.bucket.name, Key=self.bucket.key(self.path))
