"""Handlers call AWS through boto3 against the in-memory AWS inside their environment."""

import json

import pytest

from studyapp.content.library import library
from tests.sandbox.conftest import function

S3_AND_DYNAMODB = """
import boto3

s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")

def handler(event, context):
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    if "coldstart-photos" not in buckets:
        s3.create_bucket(Bucket="coldstart-photos")
    s3.put_object(Bucket="coldstart-photos", Key="hello.txt", Body=b"hello from S3")
    body = s3.get_object(Bucket="coldstart-photos", Key="hello.txt")["Body"].read().decode()
    if "orders" not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName="orders", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
    dynamodb.put_item(TableName="orders", Item={"id": {"S": context.aws_request_id}})
    return {"body": body, "buckets_before": buckets, "orders": dynamodb.scan(TableName="orders")["Count"]}
"""


@pytest.fixture(scope="module", autouse=True)
def _needs_the_libraries(engine):
    if not engine.aws_available:
        pytest.fail("boto3/moto for the sandbox are missing: run `make sandbox-libs` (make test does).")


def test_put_and_get_s3_object_and_write_dynamodb_item(engine):
    config = function(S3_AND_DYNAMODB, timeout_s=30)
    first = engine.invoke(config, {})
    assert first.status == "success", first.payload_json
    assert first.payload == {"body": "hello from S3", "buckets_before": [], "orders": 1}
    operations = [(c["service"], c["operation"], c["status"]) for c in first.aws_calls]
    assert ("s3", "PutObject", 200) in operations and ("dynamodb", "PutItem", 200) in operations


def test_state_persists_while_warm_and_is_gone_after_a_cold_start(engine):
    config = function(S3_AND_DYNAMODB + "\n# persistence", timeout_s=30)
    engine.invoke(config, {})
    warm = engine.invoke(config, {})
    assert not warm.cold_start and warm.payload["orders"] == 2
    assert warm.payload["buckets_before"] == ["coldstart-photos"]
    engine.reset(config)
    cold = engine.invoke(config, {})
    assert cold.cold_start and cold.payload["orders"] == 1 and cold.payload["buckets_before"] == []


def test_every_service_the_notes_use_is_available(engine):
    result = engine.invoke(
        function(
            """
        import json
        import boto3

        def handler(event, context):
            sqs = boto3.client("sqs")
            queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
            sqs.send_message(QueueUrl=queue, MessageBody="job-1")
            sns = boto3.client("sns")
            topic = sns.create_topic(Name="alerts")["TopicArn"]
            sns.publish(TopicArn=topic, Message="hi")
            ec2 = boto3.client("ec2")
            image = ec2.describe_images()["Images"][0]["ImageId"]
            ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
            instance = ec2.describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
            ec2.start_instances(InstanceIds=[instance])
            secrets = boto3.client("secretsmanager")
            secrets.create_secret(Name="db-password", SecretString="s3cret")
            value = secrets.get_secret_value(SecretId="db-password")["SecretString"]
            sfn = boto3.client("stepfunctions")
            machine = sfn.create_state_machine(
                name="flow", roleArn="arn:aws:iam::123456789012:role/sfn",
                definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            )["stateMachineArn"]
            sfn.start_execution(stateMachineArn=machine)
            return {"secret": value, "instance": instance.startswith("i-")}
    """,
            timeout_s=30,
        ),
        {},
    )
    assert result.status == "success", result.payload_json
    assert result.payload == {"secret": "s3cret", "instance": True}
    services = {call["service"] for call in result.aws_calls}
    assert services >= {"sqs", "sns", "ec2", "secretsmanager", "stepfunctions"}


def test_failed_calls_are_listed_with_their_error(engine):
    result = engine.invoke(
        function(
            """
        import boto3
        def handler(event, context):
            try:
                boto3.client("s3").get_object(Bucket="missing-bucket", Key="x")
            except Exception as error:
                return type(error).__name__
    """,
            timeout_s=30,
        ),
        {},
    )
    assert result.payload == "NoSuchBucket"
    assert result.aws_calls[-1]["operation"] == "GetObject" and result.aws_calls[-1]["status"] == 404


def test_no_host_credentials_are_visible(engine, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTCANARY000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "host-secret-canary")
    result = engine.invoke(
        function(
            """
        import os, boto3
        def handler(event, context):
            creds = boto3.Session().get_credentials()
            return {"key": creds.access_key, "secret": creds.secret_key, "env": dict(os.environ)}
    """,
            timeout_s=30,
        ),
        {},
    )
    # Only fake credentials: the engine's placeholders or moto's own.
    assert result.payload["key"] in {"ASIACOLDSTARTSANDBOX", "FOOBARKEY"}
    assert "host-secret-canary" not in result.payload_json and "AKIAHOSTCANARY" not in result.payload_json


def test_seed_resources_creates_what_the_event_names(engine):
    event = library().events["s3-put"].data
    config = function(
        """
        from urllib.parse import unquote_plus
        import boto3
        s3 = boto3.client("s3")
        def handler(event, context):
            record = event["Records"][0]["s3"]
            key = unquote_plus(record["object"]["key"])
            return s3.get_object(Bucket=record["bucket"]["name"], Key=key)["Body"].read().decode()
    """,
        timeout_s=30,
    )
    result = engine.invoke(config, event, seed_resources=True)
    assert result.status == "success", result.payload_json
    assert "Seeded by Coldstart" in result.payload
    bucket = event["Records"][0]["s3"]["bucket"]["name"]
    assert f"s3 bucket {bucket}" in result.seeded
    assert [c["operation"] for c in result.aws_calls] == ["GetObject"]  # seeding is not the handler's


@pytest.mark.parametrize("slug", ["dynamodb-stream", "sqs-receive", "sns-notification"])
def test_seed_plans_for_streams_queues_and_topics(engine, slug):
    event = library().events[slug].data
    result = engine.invoke(
        function("def handler(e, c):\n    return 'ok'\n" + f"# {slug}"), event, seed_resources=True
    )
    assert result.status == "success"
    assert result.seeded and not result.seeded[0].startswith("Seeding failed"), result.seeded


def test_code_without_boto3_does_not_start_the_emulator(engine):
    result = engine.invoke(function("import sys\ndef handler(e, c):\n    return 'moto' in sys.modules\n"), {})
    assert result.payload is False and result.aws_calls == ()


def test_emulator_memory_is_not_charged_to_the_function(engine):
    config = function(
        "import boto3\ns3 = boto3.client('s3')\ndef handler(e, c):\n    return 1\n",
        memory_mb=128,
        timeout_s=30,
    )
    result = engine.invoke(config, {})
    assert result.status == "success", result.payload_json  # would be an OOM kill at 128 MB otherwise
    assert result.report.max_memory_used_mb < 128
    assert json.loads(result.payload_json) == 1


EMULATOR_WORKOUT = """
import boto3
s3 = boto3.client("s3")
def handler(event, context):
    s3.create_bucket(Bucket="workout")
    for n in range(event["objects"]):
        s3.put_object(Bucket="workout", Key=f"k{n}", Body=b"x" * 1024 * 1024)
    return len(s3.list_objects_v2(Bucket="workout")["Contents"])
"""


def test_the_emulator_runs_beside_the_function_in_a_group_of_its_own(engine):
    """AWS's own work is not the function's: 60 MB stored in the in-memory S3 is the emulator's
    memory, moto's import is the emulator's CPU, and neither counts in the function's REPORT."""
    config = function(EMULATOR_WORKOUT, memory_mb=128, timeout_s=30)
    result = engine.invoke(config, {"objects": 60})
    assert result.status == "success" and result.payload == 60, result.payload_json
    (env,) = [env for env in engine.pool.all_environments() if env.fingerprint == config.fingerprint]
    assert len(env.aws_cgroup.pids()) == 1  # the emulator, and only it
    assert env.aws_cgroup.pids()[0] not in env.cgroup.pids()
    assert env.aws_cgroup.usage_bytes() > 60 * 1024 * 1024  # the stored objects live there
    assert env.aws_cgroup.cpu_quota() == engine.startup_cpu_quota
    assert result.report.max_memory_used_mb < 128  # botocore's share only
    engine.reset(config)


def test_a_connection_flood_leaves_the_emulator_serving(engine):
    """The emulator's socket is visible from the function (as a service endpoint would be); a
    hundred idle connections hit its pids limit, and it keeps answering once they close."""
    config = function(
        """
        import socket
        import boto3
        s3 = boto3.client("s3")
        def handler(event, context):
            s3.list_buckets()  # the emulator is up
            names = [line.split()[-1] for line in open("/proc/net/unix").read().splitlines()[1:]
                     if "coldstart-aws" in line]
            flood = []
            for _ in range(100):
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    connection.connect("\\0" + names[0][1:])
                    flood.append(connection)
                except OSError:
                    connection.close()
            for connection in flood:
                connection.close()
            import threading, time
            time.sleep(0.5)
            answers = []  # a new thread opens a new connection: the accept loop must be alive
            caller = threading.Thread(target=lambda: answers.append(s3.list_buckets()["Buckets"]))
            caller.start()
            caller.join()
            return answers == [[]]
        """,
        timeout_s=30,
    )
    result = engine.invoke(config, {})
    assert result.status == "success" and result.payload is True, result.payload_json
    again = engine.invoke(config, {})
    assert again.status == "success", again.payload_json
    engine.reset(config)
