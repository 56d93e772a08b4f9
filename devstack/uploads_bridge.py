"""What AWS does between a school's upload and `ingest_upload`, done locally: the bucket notifies
an SQS queue (with a dead-letter queue after three failed deliveries) on moto, and a poller thread
hands each message to the Chalice handler as Lambda's SQS integration would (moto runs no Lambda
code). The infrastructure itself is declared for AWS in infra/."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3

from chalicelib.config import UPLOADS_QUEUE, settings
from chalicelib.handlers.uploads import ingest_upload
from devstack.loopback import BackgroundLoop

logger = logging.getLogger("devstack.uploads")


def wire_bucket(register_origin: str) -> str:
    """Bucket CORS for the register's pages, the queue and its dead-letter queue, the notification."""
    config = settings()
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    s3.put_bucket_cors(Bucket=config.uploads_bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [register_origin], "AllowedMethods": ["POST", "GET"], "AllowedHeaders": ["*"]}]})
    dlq = sqs.create_queue(QueueName=f"{UPLOADS_QUEUE}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName=UPLOADS_QUEUE, Attributes={
        "VisibilityTimeout": "30",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
    })["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=config.uploads_bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}}}]})
    return str(queue)


class Poller(BackgroundLoop):
    def __init__(self, queue_url: str) -> None:
        super().__init__()
        self._queue_url = queue_url

    def _run(self) -> None:
        sqs = boto3.client("sqs")
        while not self._stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=1,
                                               WaitTimeSeconds=1).get("Messages", [])
            except Exception:  # moto going down with the stack
                logger.debug("poll failed", exc_info=True)
                continue
            for message in messages:
                if self._deliver(message):
                    sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])

    @staticmethod
    def _deliver(message: dict[str, Any]) -> bool:
        event = {"Records": [{"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                              "body": message["Body"], "attributes": {}, "messageAttributes": {},
                              "md5OfBody": message.get("MD5OfBody", ""), "eventSource": "aws:sqs",
                              "eventSourceARN": f"arn:aws:sqs:{settings().region}:000000000000:{UPLOADS_QUEUE}",
                              "awsRegion": settings().region}]}
        try:
            ingest_upload(event, None)
        except Exception:
            # Left on the queue: delivered again after the visibility timeout, then dead-lettered.
            logger.warning("ingest failed; the message stays on the queue", exc_info=True)
            return False
        return True
