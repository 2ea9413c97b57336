#!/usr/bin/env python3
"""PyTorch's OneCycleLR with its defaults (pct_start 0.3, cos annealing, div_factor 25, final_div_factor 1e4),
momentum not cycled, for max_lr 0.1 over 3 epochs of 7 steps: the learning rate of every step, as the
reference of engine/src/test/java/io/jtrain/schedule/OneCycleTest.java.
    /usr/bin/python3 tests/pytorch/gen_onecycle.py
"""
import torch

p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=0.1)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=3, steps_per_epoch=7, cycle_momentum=False)
lrs = []
for _ in range(21):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
print(", ".join(repr(x) for x in lrs))
