#!/usr/bin/env python3
"""Checks an ONNX file exported by `jtrain export` with Debian's python3-onnx checker.

    /usr/bin/python3 tests/pytorch/check_onnx.py MODEL.onnx
prints one JSON object: ir_version, opset, the input and output names, and the operators used; exits 1 with
the checker's message when the model is not valid ONNX.
"""
import json
import sys

import onnx

model = onnx.load(sys.argv[1])
try:
    onnx.checker.check_model(model, full_check=True)
except Exception as e:  # the checker's ValidationError and shape-inference errors
    print("invalid: %s" % e)
    sys.exit(1)
print(json.dumps({
    "ir_version": model.ir_version,
    "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0],
    "inputs": [i.name for i in model.graph.input],
    "outputs": [o.name for o in model.graph.output],
    "batch": model.graph.input[0].type.tensor_type.shape.dim[0].dim_param,
    "ops": sorted({n.op_type for n in model.graph.node}),
    "metadata": {p.key: p.value for p in model.metadata_props},
}))
