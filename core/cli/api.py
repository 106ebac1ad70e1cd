"""``python -m core serve`` (the scoring API) and ``python -m core api-token create|revoke|list``.

Nothing heavy is imported here at module level: the command's own function imports what it
needs, so the other commands start as fast as before.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from core.cli.common import _t, cli_actor, open_cli_store
from core.config.loading import load_config


def add_api_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the real-time scoring API (FastAPI, uvicorn)")
    p.add_argument("--host", default=None, help="address (default: api.host, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: api.port, 8000)")
    p.add_argument(
        "--profile", default=None, help="profile (default: WORKBENCH_PROFILE, as the app)"
    )
    p.set_defaults(handler=_cmd_serve)

    p = sub.add_parser("api-token", help="create, revoke or list the API's bearer tokens")
    p.add_argument("action", choices=("create", "revoke", "list"))
    p.add_argument("name", nargs="?", default=None, help="the calling system's name")
    p.add_argument("--reason", default="", help="why (recorded with a revocation)")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_token)


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from core.api.app import create_app

    cfg = load_config(args.profile or os.environ.get("WORKBENCH_PROFILE"))  # as the app
    _json_logging()
    host = args.host or cfg.api.host
    port = args.port or cfg.api.port
    print(f"API : http://{host}:{port}/docs (Ctrl+C pour arrêter / to stop)", file=sys.stderr)
    with open_cli_store(cfg) as store:
        app = create_app(cfg, store)
        uvicorn.run(
            app,
            host=host,
            port=port,
            workers=1,  # one process holds the model; see README "API"
            log_config=None,
            access_log=False,  # core.api.guard writes one JSON line per request
            timeout_graceful_shutdown=10,
        )
    return 0


def _cmd_token(args: argparse.Namespace) -> int:
    cfg = load_config()
    lang = args.lang or cfg.locale
    with open_cli_store(cfg) as store:
        if args.action == "list":
            for token in store.api_tokens():
                state = (
                    "actif / active" if token.active else f"révoqué / revoked {token.revoked_at}"
                )
                print(f"{token.name}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")
            return 0
        if not args.name:
            print(_t(lang, "Donnez le nom du système appelant.", "Give the calling system's name."))
            return 2
        if args.action == "create":
            token = store.create_api_token(args.name, actor=cli_actor(cfg))
            print(
                _t(
                    lang,
                    f"Jeton de « {args.name} » (affiché une seule fois, gardez-le en lieu sûr) :",
                    f"Token of « {args.name} » (shown once: keep it safe):",
                ),
                file=sys.stderr,
            )
            print(token)
            return 0
        store.revoke_api_token(args.name, actor=cli_actor(cfg), reason=args.reason)
        print(_t(lang, f"Jeton de « {args.name} » révoqué.", f"Token of « {args.name} » revoked."))
        return 0


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (the access log's message is
    itself JSON and is merged in)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        try:
            parsed = json.loads(message)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            line.update(parsed)
        else:
            line["message"] = message
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)  # server side only
        return json.dumps(line, ensure_ascii=False)


def _json_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("uvicorn.error",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
