"""`python -m deployments.fleet start|stop|status`: the fleet `make fleet` and `make fleet-stop` manage."""

from __future__ import annotations

import argparse

from deployments.fleet import processes
from deployments.fleet.fleet import Fleet
from deployments.fleet.topology import Topology


def print_how_to_reach(fleet: Fleet) -> None:
    topology = fleet.topology
    print(f"""
The fleet is up: {len(fleet.workers)} workers ({topology.network}), server on PostgreSQL with Redis messaging.
  UI:            {topology.ui_url}   (user and password: {topology.auth_file})
  API:           {topology.api_url}
  object store:  {topology.object_store_url}  (results s3://agentic-fleet/results, code s3://agentic-fleet/code)
  store:         {topology.store_url}
Use it from this shell:
  export PREFECT_API_URL={topology.api_url} PREFECT_API_AUTH_STRING="$(cat {topology.auth_file})"
  prefect deployment run document-batch/fleet --param folder=$PWD/examples/documents
Stop it: make fleet-stop""")


def status(fleet: Fleet) -> None:
    if not fleet.started and not fleet.workers:
        print(f"No fleet is recorded in {fleet.topology.folder}.")
        return
    for process in [*fleet.started.values(), *fleet.workers.values()]:
        print(f"{process.role}: pid {process.pid}, {'running' if processes.alive(process) else 'gone'}, "
              f"log {process.log}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deployments.fleet", description=__doc__)
    parser.add_argument("command", choices=("start", "stop", "status"))
    args = parser.parse_args()
    topology = Topology.from_settings()
    fleet = Fleet.load(topology, say=lambda line: print(line, flush=True))
    if args.command == "start":
        try:
            fleet.start()
        except BaseException:
            print("The fleet did not start; what it started is still recorded: run `make fleet-stop`.")
            raise
        print_how_to_reach(fleet)
    elif args.command == "stop":
        for line in fleet.stop() or [f"No fleet is recorded in {topology.folder}."]:
            print(line)
    else:
        status(fleet)


if __name__ == "__main__":
    main()
