"""PyTorch baseline for `bench --only training` (a developer tool; CI never runs it).

Trains the same GPT-NeoX configuration (transformers' GPTNeoXForCausalLM, CPU, eager, fp32) on the same workload as
bench, with the same flags, and prints step time, tokens/s and GFLOP/s counted as bench counts them:

  pretraining  micro-batches of batch x length random tokens, every position a target
  instruction  bench's fixed instruction shape: 8 sequences of 150, 58, 82, 66, 104, 47, 79, 70 tokens right-padded
               to 150, the first 61% of each a prompt (label -100), padding -100

each step forward + backward + clip 1.0 + AdamW. Run it right after bench, with the machine otherwise idle:

    pip install 'torch==2.13.0+cpu' --index-url https://download.pytorch.org/whl/cpu; pip install transformers
    swift run -c release bench --only training --model course-large --threads 2
    python3 tools/pytorch_baseline.py --model course-large --threads 2
"""
import argparse
import json
import os
import time

COURSE = {  # Preset.course.models (keep in step with Sources/Repro/Preset.swift)
    "course-large": dict(hidden_size=256, num_hidden_layers=7, num_attention_heads=4, rotary_pct=0.5),
    "course-small": dict(hidden_size=192, num_hidden_layers=4, num_attention_heads=2, rotary_pct=0.25),
}
INSTRUCTION_LENGTHS = [150, 58, 82, 66, 104, 47, 79, 70]  # TrainingBench.Workload.instructionLengths
PROMPT_SHARE = 0.61


def config_for(name):
    from transformers import GPTNeoXConfig
    path = f"artifacts/03-model-config/configs/{name}/config.json"
    if os.path.exists(path):
        cfg = json.load(open(path))
        cfg.pop("_name_or_path", None)
        return GPTNeoXConfig(**cfg)
    d = COURSE[name]["hidden_size"]
    return GPTNeoXConfig(vocab_size=4096, intermediate_size=4 * d, max_position_embeddings=256,
                         use_parallel_residual=True, tie_word_embeddings=False, hidden_act="gelu", **COURSE[name])


def workload(name, batch, length):
    """(inputs, targets) as bench builds them (other random tokens: a step's speed does not depend on them)."""
    import torch
    if name == "pretraining":
        tokens = torch.randint(0, 4000, (batch, length + 1))
        return tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()
    longest = max(INSTRUCTION_LENGTHS)
    inputs = torch.zeros(len(INSTRUCTION_LENGTHS), longest, dtype=torch.long)
    targets = torch.full((len(INSTRUCTION_LENGTHS), longest), -100, dtype=torch.long)
    for b, real in enumerate(INSTRUCTION_LENGTHS):
        row = torch.randint(0, 4000, (real,))
        prompt = int(real * PROMPT_SHARE + 0.5)
        inputs[b, :real] = row
        for t in range(longest):
            if t + 1 < real and t + 1 >= prompt:
                targets[b, t] = row[t + 1]
    return inputs, targets


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # `--model a b` and `--model a --model b` both work, as in bench
    p.add_argument("--model", nargs="+", action="extend", choices=sorted(COURSE))
    p.add_argument("--workload", nargs="+", action="extend", choices=["pretraining", "instruction"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--length", type=int, default=256)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    args.model = args.model or ["course-large", "course-small"]
    args.workload = args.workload or ["pretraining"]
    import torch
    from transformers import GPTNeoXForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"{torch.backends.cpu.get_cpu_capability()} kernels; MKL {torch.backends.mkl.is_available()}")
    for work in args.workload:
        for name in args.model:
            config = config_for(name)
            config._attn_implementation = "eager"
            model = GPTNeoXForCausalLM(config).float().train()
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, foreach=True)
            inputs, targets = workload(work, args.batch, args.length)

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
            tokens = inputs.numel()
            # bench's count: 6·N + 12·L·T·d per token (attention's full square, forward and backward)
            per_token = 6 * params + 12 * config.num_hidden_layers * inputs.shape[1] * config.hidden_size
            print(f"{name}, {work}: {params:,} parameters, batch {inputs.shape[0]} x {inputs.shape[1]}, "
                  f"{int((targets != -100).sum()):,} scored: {seconds * 1000:.1f} ms/step, "
                  f"{tokens / seconds:,.0f} tokens/s, {per_token * tokens / seconds / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
