"""The gatehouse program itself: help for every subcommand, and clear usage errors."""
from harness import check, check_eq, check_in, test


@test
def help_for_every_subcommand(sb):
    rc, out, err = sb.gatehouse("--help")
    check_eq(rc, 0)
    for cmd in ("serve", "explain", "webhook-config", "version"):
        check_in(cmd, out)
        rc, text, err = sb.gatehouse(cmd, "--help")
        check_eq(rc, 0, f"{cmd} --help: {err}")
        check_in("usage: gatehouse " + cmd, text)
    rc, out, err = sb.gatehouse("frobnicate")
    check_eq(rc, 2)
    check_in('unknown command "frobnicate"', err)
    rc, out, err = sb.gatehouse("serve", "--listen-aws", "nonsense")
    check_eq(rc, 2)
    check_in("HOST:PORT", err)
    rc, out, err = sb.gatehouse("serve", "--plain-http", "--listen-aws", "0.0.0.0:0")
    check_eq(rc, 2)
    check_in("only when every listener is on loopback", err)
    rc, out, err = sb.gatehouse("explain", "token", "--state-dir", "/nonexistent/dir", "k8s-aws-v1.x")
    check_eq(rc, 1)
    check_in("no gatehouse state", err)
