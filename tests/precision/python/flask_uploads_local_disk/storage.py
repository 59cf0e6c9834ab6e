import os

from qcloud_cos import CosConfig, CosS3Client

cos_client = CosS3Client(CosConfig(Region=os.environ.get("COS_REGION", "ap-shanghai"),
                                   SecretId=os.environ.get("COS_SECRET_ID"),
                                   SecretKey=os.environ.get("COS_SECRET_KEY")))
BUCKET = os.environ.get("COS_BUCKET", "photos-1250000000")


def put(key: str, path: str) -> str:
    cos_client.upload_file(Bucket=BUCKET, LocalFilePath=path, Key=key)
    return f"https://{BUCKET}.cos.ap-shanghai.myqcloud.com/{key}"
