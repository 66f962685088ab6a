"""The reference workload in Ciw: M/M/c, 540 arrivals/h, exponential handle time of mean 300 s,
50 servers, FIFO, no abandonment. Time unit: seconds.

Usage: python ciw_mmc.py [DAYS] [SEED]   (default 10 days, seed 1)

Prints one line of key=value pairs: conversations (arrivals within the horizon), seconds (the
simulation call alone, by time.perf_counter, so Python start-up, imports and building the network
are not counted), conv_per_s, answered (service records), p_wait (share of the answered that
waited) and asa_s (mean wait of the answered), to compare with ccsim's summary.csv.
"""

import sys
import time

import ciw

RATE_PER_S = 540 / 3600
AHT_S = 300.0
AGENTS = 50


def main():
    days = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    horizon = days * 86_400.0

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE_PER_S)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT_S)],
        number_of_servers=[AGENTS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)

    start = time.perf_counter()
    sim.simulate_until_max_time(horizon)
    seconds = time.perf_counter() - start

    offered = sim.nodes[0].number_of_individuals
    # Ciw writes a record when a service ends: conversations still being served at the horizon
    # have none (about 50 of them), which does not move the mean.
    waits = [r.waiting_time for r in sim.get_all_records() if r.record_type == "service"]
    answered = len(waits)
    print(
        f"tool=ciw days={days:g} conversations={offered} seconds={seconds:.4f} "
        f"conv_per_s={offered / seconds:.0f} answered={answered} "
        f"p_wait={sum(1 for w in waits if w > 0) / answered:.4f} "
        f"asa_s={sum(waits) / answered:.3f}"
    )


if __name__ == "__main__":
    main()
