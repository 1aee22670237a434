#!/usr/bin/env python3
"""Full fine-tuning of Polyglot-Ko on the examples chapter 02 made, as the paper did it: DeepSpeed ZeRO stage 3 on
8 GPUs, AdamW, 3 epochs, batch 32, cosine schedule with 6% linear warmup, gradient clipping 1.0, bf16.

The data is chapter 04's hand-off (`ch04-training --scale paper`): JSON Lines of {"input_ids": [...], "labels": [...]}
with the prompt already masked (-100) — made with Polyglot-Ko's own tokenizer.json (chapter 02 `--tokenizer`), so the
ids mean what the pretrained embeddings expect. Nothing is re-tokenized here.

    deepspeed --num_gpus 8 paper-scale/finetune.py --model EleutherAI/polyglot-ko-5.8b \\
        --train artifacts/04-training/paper/train.jsonl --deepspeed artifacts/04-training/paper/ds_zero3.json \\
        --learning-rate 5e-5 --output runs/polyglot-ko-5.8b-lr5e-5

The saved directory (config.json, model.safetensors shards, tokenizer) is what chapter 05 evaluates with --checkpoint
(merge shards into one model.safetensors first if your transformers version writes several).
"""
import argparse
import json


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face id or directory, e.g. EleutherAI/polyglot-ko-12.8b")
    p.add_argument("--train", required=True, help="train.jsonl from ch04-training --scale paper")
    p.add_argument("--validation", help="validation.jsonl (optional)")
    p.add_argument("--deepspeed", required=True, help="ds_zero3.json from ch04-training --scale paper")
    p.add_argument("--learning-rate", type=float, required=True, help="the paper: 5e-5 or 7e-6")
    p.add_argument("--output", required=True, help="where the fine-tuned model is saved")
    p.add_argument("--epochs", type=float, default=3)
    p.add_argument("--micro-batch", type=int, default=4, help="sequences per GPU per step (4 x 8 GPUs = 32)")
    p.add_argument("--gradient-accumulation", type=int, default=1)
    p.add_argument("--warmup-ratio", type=float, default=0.06)
    p.add_argument("--max-grad-norm", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--local_rank", type=int, default=-1, help=argparse.SUPPRESS)   # set by the deepspeed launcher
    return p.parse_args()


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for i, r in enumerate(rows):
        if len(r["input_ids"]) != len(r["labels"]):
            raise ValueError(f"{path}: record {i}: input_ids and labels differ in length")
    return rows


def main():
    args = parse_args()
    # Heavy imports after argument parsing, so --help works on a machine without torch.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

    class Examples(torch.utils.data.Dataset):
        def __init__(self, rows):
            self.rows = rows

        def __len__(self):
            return len(self.rows)

        def __getitem__(self, i):
            return self.rows[i]

    def collate(batch):
        # Right-pad: pad tokens get label -100 and attention mask 0, so they are neither attended to nor scored.
        length = max(len(r["input_ids"]) for r in batch)
        ids = torch.zeros(len(batch), length, dtype=torch.long)
        labels = torch.full((len(batch), length), -100, dtype=torch.long)
        mask = torch.zeros(len(batch), length, dtype=torch.long)
        for b, r in enumerate(batch):
            n = len(r["input_ids"])
            ids[b, :n] = torch.tensor(r["input_ids"])
            labels[b, :n] = torch.tensor(r["labels"])
            mask[b, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    training_args = TrainingArguments(
        output_dir=args.output, num_train_epochs=args.epochs, learning_rate=args.learning_rate,
        per_device_train_batch_size=args.micro_batch, gradient_accumulation_steps=args.gradient_accumulation,
        lr_scheduler_type="cosine", warmup_ratio=args.warmup_ratio, max_grad_norm=args.max_grad_norm,
        weight_decay=0.0, adam_beta1=0.9, adam_beta2=0.999, adam_epsilon=1e-8, bf16=True,
        gradient_checkpointing=True, deepspeed=args.deepspeed, seed=args.seed, logging_steps=10,
        save_strategy="no", report_to=[], remove_unused_columns=False)
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.bfloat16)
    trainer = Trainer(model=model, args=training_args, train_dataset=Examples(read_jsonl(args.train)),
                      eval_dataset=Examples(read_jsonl(args.validation)) if args.validation else None,
                      data_collator=collate)
    trainer.train()
    trainer.save_model(args.output)
    AutoTokenizer.from_pretrained(args.model).save_pretrained(args.output)


if __name__ == "__main__":
    main()
