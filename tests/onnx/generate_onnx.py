#!/usr/bin/python3
"""ONNX fixtures for vecnn's importer and exporter tests, written by PyTorch's exporter.

Run with Debian's packages (apt-get install python3-torch python3-onnx python3-torchvision python3-numpy):

    /usr/bin/python3 tests/onnx/generate_onnx.py            # the committed fixtures, tests/src/test/resources/onnx/
    /usr/bin/python3 tests/onnx/generate_onnx.py --bench DIR # full-size ResNet-18 and MobileNet-V2 for the JMH benchmark

For every case NAME it writes NAME.onnx (float32, torch.onnx.export), NAME.x.npy (the input, float32),
NAME.y32.npy (PyTorch's float32 output) and NAME.y64.npy (PyTorch's output of the same model and input
in float64: the reference). Cases marked f64 also get NAME.f64.onnx, exported from model.double().
Models whose operators or attributes torch.onnx.export never writes (auto_pad, output_shape, Dropout,
opset-9 Upsample of another form) are built with onnx.helper; their references come from equivalent
PyTorch code. The fine-tuning case adds the gradient of a loss at the first step, per parameter name.
Weights are random (seeded); nothing is downloaded.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "onnx")
torch.manual_seed(0)
np.random.seed(0)
CASES = []


def export(model, name, x, opset=13, f64=False, dynamic=True, preserve=False, names=None):
    """Exports model (eval mode) and writes input and PyTorch outputs."""
    model = model.eval()
    training = torch.onnx.TrainingMode.PRESERVE if preserve else torch.onnx.TrainingMode.EVAL
    xs = x if isinstance(x, tuple) else (x,)
    in_names = names or (["x"] if len(xs) == 1 else ["x%d" % i for i in range(len(xs))])
    axes = {n: {0: "N"} for n in in_names} if dynamic else None
    if dynamic:
        axes["y"] = {0: "N"}
    with torch.no_grad():
        torch.onnx.export(model, xs, os.path.join(OUT, name + ".onnx"), opset_version=opset, input_names=in_names,
                          output_names=["y"], dynamic_axes=axes, training=training, do_constant_folding=True)
        y32 = model(*xs)
        m64 = model.double()
        x64 = tuple(t.double() for t in xs)
        y64 = m64(*x64)
        if f64:
            torch.onnx.export(m64, x64, os.path.join(OUT, name + ".f64.onnx"), opset_version=opset, input_names=in_names,
                              output_names=["y"], dynamic_axes=axes, training=training, do_constant_folding=True)
        model.float()
    for i, t in enumerate(xs):
        np.save(os.path.join(OUT, name + (".x.npy" if len(xs) == 1 else ".x%d.npy" % i)), t.numpy().astype(np.float32))
    np.save(os.path.join(OUT, name + ".y32.npy"), y32.numpy())
    np.save(os.path.join(OUT, name + ".y64.npy"), y64.numpy())
    CASES.append({"name": name, "inputs": len(xs), "f64": f64, "opset": opset})


def helper_case(name, nodes, inits, x, ref, opset=13):
    """A model built with onnx.helper; ref(dtype) computes its output in PyTorch with inputs and weights in dtype."""
    y64 = ref(torch.float64).numpy()
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + list(x.shape[1:]))],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"] + list(y64.shape[1:]))],
                          [numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="vecnn-generator")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, name + ".x.npy"), x.astype(np.float32))
    np.save(os.path.join(OUT, name + ".y64.npy"), y64)
    np.save(os.path.join(OUT, name + ".y32.npy"), ref(torch.float32).numpy())
    CASES.append({"name": name, "inputs": 1, "f64": False, "opset": opset, "helper": True})


def rnd(*shape):
    return torch.randn(*shape)


class Lambda(nn.Module):
    """forward(x) = f(x, self); keyword tensors become registered parameters (so .double() converts them)."""

    def __init__(self, f, **params):
        super().__init__()
        self.f = f
        for k, v in params.items():
            setattr(self, k, nn.Parameter(v))

    def forward(self, x):
        return self.f(x, self)


def operator_cases():
    x = rnd(2, 3, 9, 8)
    export(nn.Conv2d(3, 4, 3, padding=1), "conv", x, opset=11, f64=True)
    export(nn.Conv2d(4, 6, 3, stride=2, dilation=2, groups=2, padding=(2, 1), bias=False), "conv_group_dilation", rnd(2, 4, 11, 10), opset=17)
    export(nn.Conv2d(4, 4, 3, groups=4, padding=1), "conv_depthwise", rnd(2, 4, 7, 7), opset=13)
    export(nn.Sequential(nn.ZeroPad2d((1, 0, 2, 1)), nn.Conv2d(3, 4, 3)), "pad_into_conv", x, opset=11)
    export(nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"), "conv_reflect", x, opset=13)
    export(nn.Conv2d(3, 4, 3, padding=2, padding_mode="replicate"), "conv_replicate", x, opset=17)
    export(Lambda(lambda t, m: torch.relu(F.pad(t, (1, 2, 0, 1), mode="reflect"))), "pad_reflect", x, opset=13)
    export(Lambda(lambda t, m: torch.sigmoid(F.pad(t, (2, 0, 1, 1), value=0.5))), "pad_constant", x, opset=11)
    export(Lambda(lambda t, m: torch.tanh(F.pad(t, (1, 1, 2, 0), mode="replicate"))), "pad_edge", x, opset=17)
    export(nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), "conv_transpose", rnd(2, 4, 5, 6), opset=13, f64=True)
    export(nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), groups=2, dilation=(1, 2)), "conv_transpose_group", rnd(2, 4, 4, 5), opset=11)
    export(nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), "maxpool_ceil", x, opset=11)
    export(nn.MaxPool2d(2, stride=1, dilation=2), "maxpool_dilation", x, opset=13)
    export(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), "avgpool_exclude", x, opset=13)
    export(nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True), "avgpool_include", x, opset=17)
    export(nn.AdaptiveAvgPool2d(1), "global_avgpool", x, opset=11)
    export(nn.AdaptiveMaxPool2d(1), "global_maxpool", x, opset=13)
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), bn, nn.ReLU()), "conv_bn_relu", x, opset=13, preserve=True, f64=True)
    bn2 = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn2.running_mean.uniform_(-1, 1)
        bn2.running_var.uniform_(0.5, 2)
    export(nn.Sequential(bn2, nn.Tanh()), "batchnorm", x, opset=11, preserve=True)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.LeakyReLU(0.1)), "conv_leakyrelu", x, opset=13)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU6()), "conv_relu6", x, opset=11)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Hardsigmoid()), "hardsigmoid", x, opset=13)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Hardswish()), "hardswish", x, opset=17)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Hardswish()), "hardswish_opset13", x, opset=13)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sigmoid()), "conv_sigmoid", x, opset=13)
    export(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Tanh()), "conv_tanh", x, opset=11)
    export(nn.Sequential(nn.Flatten(), nn.Linear(3 * 9 * 8, 5), nn.Softmax(dim=1)), "linear_softmax", x, opset=13, f64=True)
    export(nn.Sequential(nn.Flatten(), nn.Linear(3 * 9 * 8, 5), nn.Softmax(dim=1)), "linear_softmax_opset11", x, opset=11)
    export(nn.Upsample(scale_factor=2, mode="nearest"), "resize_nearest", x, opset=13)
    export(nn.Upsample(scale_factor=(2, 3), mode="nearest"), "resize_nearest_opset11", x, opset=11)
    export(nn.Upsample(scale_factor=2, mode="nearest"), "upsample_opset9", x, opset=9)
    export(Lambda(lambda t, m: torch.flatten(t, 1) @ m.w, w=rnd(3 * 9 * 8, 4)), "matmul", x, opset=13)
    export(Lambda(lambda t, m: (t * m.scale + 0.5) / 2 - (1 - t), scale=rnd(3, 1, 1)), "arithmetic_constants", x, opset=13, f64=True)
    export(Lambda(lambda t, m: torch.sigmoid(t) * t - torch.tanh(t) / (1.5 + torch.sigmoid(t))), "arithmetic_branches", x, opset=17)
    export(Lambda(lambda t, m: torch.cat([t, torch.relu(t), t * 2], dim=1)), "concat", x, opset=11)
    export(Lambda(lambda t, m: t.view(t.size(0), -1)), "reshape_dynamic_batch", x, opset=13)
    export(Lambda(lambda t, m: torch.flatten(t.permute(0, 2, 3, 1), 1)), "transpose", x, opset=13)
    export(Lambda(lambda t, m: torch.relu(t.unsqueeze(2)).squeeze(2)), "squeeze_unsqueeze", x, opset=13)
    export(Lambda(lambda t, m: torch.relu(t.unsqueeze(2)).squeeze(2)), "squeeze_unsqueeze_opset11", x, opset=11)


def helper_cases():
    """auto_pad, output_shape, Dropout and Identity: not written by torch.onnx.export."""
    x = np.random.randn(2, 3, 9, 8).astype(np.float32).astype(np.float64)
    w = np.random.randn(4, 3, 3, 2).astype(np.float32).astype(np.float64)
    b = np.random.randn(4).astype(np.float32).astype(np.float64)
    t = lambda a, dt: torch.tensor(a, dtype=dt)
    for auto in ["SAME_UPPER", "SAME_LOWER", "VALID"]:
        node = helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", auto_pad=auto, strides=[2, 1])
        drop = helper.make_node("Dropout", ["c", "ratio"], ["d"], name="drop")
        ident = helper.make_node("Identity", ["d"], ["y"], name="ident")
        # SAME: total padding (ceil(in/s)-1)*s + k - in, the odd position at the end (UPPER) or start (LOWER)
        pads = []
        for size, k, s in ((9, 3, 2), (8, 2, 1)):
            total = 0 if auto == "VALID" else max(0, (-(-size // s) - 1) * s + k - size)
            lo = total // 2 if auto != "SAME_LOWER" else total - total // 2
            pads.append((lo, total - lo))
        ref = lambda dt, p=pads: F.conv2d(F.pad(t(x, dt), (p[1][0], p[1][1], p[0][0], p[0][1])), t(w, dt), t(b, dt), stride=(2, 1))
        helper_case("conv_autopad_" + auto.lower(), [node, drop, ident], {"w": w, "b": b, "ratio": np.array(0.3)}, x, ref)
    node = helper.make_node("MaxPool", ["x"], ["y"], name="pool", auto_pad="SAME_UPPER", kernel_shape=[3, 2], strides=[2, 2])
    helper_case("maxpool_autopad", [node], {}, x, lambda dt: F.max_pool2d(F.pad(t(x, dt), (0, 0, 1, 1), value=-np.inf), (3, 2), (2, 2)))
    wtr = np.random.randn(3, 2, 3, 3).astype(np.float32).astype(np.float64)
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="convT", strides=[2, 2], output_shape=[16, 14])
    # full output 19 x 17; total padding 3 per dimension, 1 at the start and 2 at the end (as ONNX Runtime splits it)
    helper_case("conv_transpose_output_shape", [node], {"w": wtr}, x, lambda dt: F.conv_transpose2d(t(x, dt), t(wtr, dt), stride=2)[:, :, 1:17, 1:15])


class Block(nn.Module):
    def __init__(self, c, stride=1):
        super().__init__()
        out = c * stride
        self.conv1 = nn.Conv2d(c, out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.down = None if stride == 1 else nn.Sequential(nn.Conv2d(c, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return torch.relu(h + (x if self.down is None else self.down(x)))


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(8, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 1, 1))
        self.up2 = nn.Upsample(scale_factor=2)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        d = self.dec(torch.cat([self.up(e2), e1], dim=1))
        return d + 0.1 * self.up2(F.avg_pool2d(d, 2))


def randomise_bn(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model


class SmallResNet18(torchvision.models.resnet.ResNet):
    """torchvision's ResNet-18 graph (BasicBlock, [2, 2, 2, 2]) with widths 8-16-32-64 instead of 64-512."""

    def __init__(self, num_classes=10):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = 8, 1, 1, 64
        block = torchvision.models.resnet.BasicBlock
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, 8, 2)
        self.layer2 = self._make_layer(block, 16, 2, stride=2)
        self.layer3 = self._make_layer(block, 32, 2, stride=2)
        self.layer4 = self._make_layer(block, 64, 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)


def network_cases():
    export(nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), Block(8), Block(8, 2), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(16, 3)).apply(randomise_bn), "resnet_small", rnd(2, 3, 16, 16), opset=13, f64=True,
           preserve=True)
    export(UNet(), "unet", rnd(2, 2, 16, 16), opset=13, f64=True)
    export(nn.Sequential(nn.Conv1d(2, 4, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(4, 3, 3, dilation=2), nn.Tanh(),
                         nn.AvgPool1d(2), nn.Flatten(), nn.Linear(3 * 6, 2)), "cnn1d", rnd(3, 2, 32), opset=13, f64=True)
    export(nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2), nn.Conv3d(4, 4, (3, 3, 1)), nn.Sigmoid(),
                         nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(4, 2)), "cnn3d", rnd(2, 1, 8, 8, 6), opset=17, f64=True)
    export(Lambda(lambda t, m: torch.flatten(F.relu(F.max_pool2d(t, 2)), 1)), "dynamic_batch", rnd(3, 3, 8, 8), opset=11)
    export(randomise_bn(SmallResNet18()), "resnet18_small", rnd(1, 3, 64, 64), opset=13, preserve=True)
    mob = randomise_bn(torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10))
    export(mob, "mobilenet_v2_small", rnd(1, 3, 64, 64), opset=13, preserve=True)


def fine_tune_case():
    """A BN-free CNN (initializers keep PyTorch's names): gradient of an MSE loss at the first step."""
    torch.manual_seed(5)
    model = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 4, 3), nn.Tanh(),
                          nn.Flatten(), nn.Linear(4 * 2 * 2, 3)).double()
    x = torch.randn(4, 3, 8, 8).double()  # float32 values, so that the float32 input is the same
    target = torch.randn(4, 3, dtype=torch.float64)
    export(model.float(), "finetune", x.float(), opset=13, f64=True)
    model.double()
    loss = F.mse_loss(model(x), target)
    loss.backward()
    np.save(os.path.join(OUT, "finetune.target.npy"), target.numpy())
    np.save(os.path.join(OUT, "finetune.x64.npy"), x.numpy())
    grads = {}
    for n, p in model.named_parameters():
        np.save(os.path.join(OUT, "finetune.grad.%s.npy" % n), p.grad.numpy())
        grads[n] = list(p.shape)
    with open(os.path.join(OUT, "finetune.json"), "w") as f:
        json.dump({"loss": loss.item(), "params": grads}, f, indent=1)
    # the same state_dict as safetensors, laid out as safetensors.torch.save_file writes it
    write_safetensors(os.path.join(OUT, "finetune.safetensors"), {k: v.float() for k, v in model.state_dict().items()})


def write_safetensors(path, tensors):
    """The safetensors layout (8-byte little-endian header size, JSON header, data), as the reference writer does."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


def bench(out):
    """Full-size architectures with random weights for the JMH benchmark (never committed)."""
    os.makedirs(out, exist_ok=True)
    for name, model in (("resnet18", torchvision.models.resnet18()), ("mobilenet_v2", torchvision.models.mobilenet_v2())):
        model = randomise_bn(model).eval()
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), os.path.join(out, name + ".onnx"), opset_version=13,
                          input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
        print("wrote", os.path.join(out, name + ".onnx"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        bench(sys.argv[2])
        return
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    operator_cases()
    helper_cases()
    network_cases()
    fine_tune_case()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(CASES, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("%d cases, %d files, %.2f MB" % (len(CASES), len(os.listdir(OUT)), total / 1e6))


if __name__ == "__main__":
    main()
