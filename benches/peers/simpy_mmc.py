"""The reference workload in SimPy: M/M/c, 540 arrivals/h, exponential handle time of mean 300 s,
50 agents (a simpy.Resource of capacity 50, FIFO), no abandonment. Time unit: seconds.

Usage: python simpy_mmc.py [DAYS] [SEED]   (default 30 days, seed 1)

The model is the textbook SimPy one: a source process that creates one process per conversation,
which requests an agent, records its wait when granted, and holds the agent for its handle time.
Prints one line of key=value pairs: conversations (arrivals within the horizon), seconds (env.run
alone, by time.perf_counter), conv_per_s, answered, p_wait (share of the answered that waited) and
asa_s (mean wait of the answered), to compare with ccsim's summary.csv.
"""

import random
import sys
import time

import simpy

RATE_PER_S = 540 / 3600
AHT_S = 300.0
AGENTS = 50


class Counters:
    offered = 0
    answered = 0
    queued = 0
    total_wait = 0.0


def conversation(env, agents, rng, c):
    arrived = env.now
    with agents.request() as request:
        yield request
        wait = env.now - arrived
        c.answered += 1
        c.total_wait += wait
        if wait > 0:
            c.queued += 1
        yield env.timeout(rng.expovariate(1 / AHT_S))


def source(env, agents, rng, c):
    while True:
        yield env.timeout(rng.expovariate(RATE_PER_S))
        c.offered += 1
        env.process(conversation(env, agents, rng, c))


def main():
    days = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    horizon = days * 86_400.0

    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    c = Counters()
    env.process(source(env, agents, rng, c))

    start = time.perf_counter()
    env.run(until=horizon)
    seconds = time.perf_counter() - start

    print(
        f"tool=simpy days={days:g} conversations={c.offered} seconds={seconds:.4f} "
        f"conv_per_s={c.offered / seconds:.0f} answered={c.answered} "
        f"p_wait={c.queued / c.answered:.4f} asa_s={c.total_wait / c.answered:.3f}"
    )


if __name__ == "__main__":
    main()
