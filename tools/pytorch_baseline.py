"""PyTorch baseline for `bench --only training` (a developer tool; CI never runs it).

Trains the same GPT-NeoX configuration (transformers' GPTNeoXForCausalLM, CPU, eager, fp32) on the same workload —
micro-batches of 8 x 256 random tokens, every position a target, forward + backward + clip 1.0 + AdamW — with the
same number of threads, and prints tokens/s. The configs are read from chapter 03's artifacts when present, else
built here with the values of Sources/Repro/Preset.swift.

    pip install 'torch==2.13.0+cpu' transformers
    python3 tools/pytorch_baseline.py --steps 10 [--threads 2]
"""
import argparse
import json
import os
import time

COURSE = {  # Preset.course.models (keep in step with Sources/Repro/Preset.swift)
    "course-large": dict(hidden_size=256, num_hidden_layers=7, num_attention_heads=4, rotary_pct=0.5),
    "course-small": dict(hidden_size=192, num_hidden_layers=4, num_attention_heads=2, rotary_pct=0.25),
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--length", type=int, default=256)
    args = p.parse_args()
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    for name, shape in COURSE.items():
        path = f"artifacts/03-model-config/configs/{name}/config.json"
        if os.path.exists(path):
            cfg = json.load(open(path))
            cfg.pop("_name_or_path", None)
            config = GPTNeoXConfig(**cfg)
        else:
            d = shape["hidden_size"]
            config = GPTNeoXConfig(vocab_size=4096, intermediate_size=4 * d, max_position_embeddings=256,
                                   use_parallel_residual=True, tie_word_embeddings=False, hidden_act="gelu", **shape)
        config.attn_implementation = "eager"
        model = GPTNeoXForCausalLM(config).float().train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, foreach=True)
        tokens = torch.randint(0, config.vocab_size, (args.batch, args.length + 1))
        inputs, targets = tokens[:, :-1], tokens[:, 1:]

        def step():
            optimizer.zero_grad(set_to_none=True)
            logits = model(input_ids=inputs).logits
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()

        step()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        seconds = (time.perf_counter() - start) / args.steps
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {params:,} parameters, torch {torch.__version__}, {args.threads} threads: "
              f"{seconds * 1000:.1f} ms/step, {args.batch * args.length / seconds:,.0f} tokens/s")


if __name__ == "__main__":
    main()
