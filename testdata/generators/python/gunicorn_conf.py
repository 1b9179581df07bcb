"""gunicorn settings of the apps: one sync worker on loopback; the
OpenTelemetry setup runs in the worker after the fork, before the app loads."""
import os

bind = "127.0.0.1:" + os.environ["QUERYLENS_GEN_PORT"]
workers = 1
worker_class = "sync"
accesslog = None
# no control socket: it is one path per user, shared with any other gunicorn
control_socket_disable = True


def post_fork(server, worker):
    import telemetry

    telemetry.setup()
