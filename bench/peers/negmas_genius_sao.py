#!/usr/bin/env python3
"""NegMAS 0.16.0: Boulware vs Boulware SAO on the Genius folders of shared/domains.

Loads each folder with NegMAS's own Genius loader (its raw reading, discounting ignored:
NegMAS discounts per step, Genius and parley by relative time, so the comparison is made
without it), runs `SAOMechanism(n_steps=100)` with two `BoulwareTBNegotiator`s in profile
order, and prints one JSON line per domain with the agreement (value strings) and step.

    /tmp/negmas-venv/bin/python bench/peers/negmas_genius_sao.py [DOMAINS_DIR]
"""

import json
import os
import sys

from negmas.inout import Scenario
from negmas.sao import BoulwareTBNegotiator, SAOMechanism

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "..", "shared", "domains")


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        scenario = Scenario.from_genius_folder(folder, ignore_discount=True, ignore_reserved=False)
        mech = SAOMechanism(outcome_space=scenario.outcome_space, n_steps=100)
        for ufun in scenario.ufuns:
            mech.add(BoulwareTBNegotiator(), ufun=ufun)
        state = mech.run()
        agreement = state.agreement
        print(json.dumps({
            "tool": "negmas", "version": "0.16.0", "domain": name, "n_steps": 100,
            "agreement": list(agreement) if agreement is not None else None,
            "step": state.step,
            "utilities": [float(u(agreement)) for u in scenario.ufuns] if agreement is not None else None,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
