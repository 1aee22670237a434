import Foundation
import Book
import Plumbing
import Repro

// MARK: - The paper's scale: a hand-off to DeepSpeed
//
// 5.8B and 12.8B parameters do not train on a CPU, and this chapter does not pretend to. At `--scale paper` it writes
// what the paper's run needs on an 8-GPU machine: the examples of chapter 02 (prompt already masked), a DeepSpeed
// ZeRO-3 configuration with the paper's batch layout and clipping, and the exact commands for each model and learning
// rate, running `paper-scale/finetune.py` (transformers + DeepSpeed) from this repository.

/// DeepSpeed's configuration for the paper's run. The optimizer and schedule are left to the Hugging Face Trainer
/// (AdamW; cosine with 6% linear warmup), which fills them in from the launcher's arguments; batch sizes and clipping
/// are written out and must agree with those arguments (the Trainer refuses a mismatch).
func deepSpeedConfig() -> JSON {
    JSON([
        "train_batch_size": .number(Double(PaperSetup.globalBatch)),
        "train_micro_batch_size_per_gpu": .number(Double(PaperSetup.microBatchPerGPU)),
        "gradient_accumulation_steps": .number(Double(PaperSetup.gradientAccumulation)),
        "gradient_clipping": .number(Paper.gradientClip),
        "bf16": JSON(["enabled": true]),
        "zero_optimization": JSON([
            "stage": .number(Double(Paper.zeroStage)),
            "overlap_comm": true,
            "contiguous_gradients": true,
            "stage3_gather_16bit_weights_on_model_save": true,
        ]),
        "steps_per_print": 10,
        "wall_clock_breakdown": false,
    ])
}

/// The launch script: every model of the grid at both rates. `paperDirectory` is absolute; `repository` is the
/// checkout holding paper-scale/finetune.py.
func launchCommands(paperDirectory: String, repository: String, models: [NeoXConfig], rates: (high: Double, low: Double),
                    epochs: Int) -> String {
    var lines = ["#!/usr/bin/env bash",
                 "# The paper's runs (Table 4): \(models.map(\.name).joined(separator: " and ")) at learning rates \(rates.high) and \(rates.low).",
                 "# Needs \(Paper.gpus) GPUs, pip install torch transformers deepspeed, and the models from the Hugging Face Hub.",
                 "set -euo pipefail",
                 "cd \"${REPO:-\(repository)}\"   # the checkout with paper-scale/finetune.py",
                 "if [ -f \(paperDirectory)/OWN_TOKENIZER ] && [ \"${FORCE:-0}\" != 1 ]; then",
                 "  echo 'train.jsonl was tokenized with our own tokenizer, not Polyglot-Ko'\"'\"'s: rerun ch02-prompting --scale paper --tokenizer <polyglot-ko tokenizer.json>, then this chapter (or set FORCE=1).' >&2",
                 "  exit 1",
                 "fi"]
    for model in models {
        for lr in [rates.high, rates.low] {
            lines.append("deepspeed --num_gpus \(Paper.gpus) paper-scale/finetune.py --model EleutherAI/\(model.name) \\")
            lines.append("  --train \(paperDirectory)/train.jsonl --deepspeed \(paperDirectory)/ds_zero3.json \\")
            lines.append("  --learning-rate \(lr) --epochs \(epochs) --micro-batch \(PaperSetup.microBatchPerGPU) --gradient-accumulation \(PaperSetup.gradientAccumulation) \\")
            lines.append("  --warmup-ratio \(Paper.warmupRatio) --max-grad-norm \(Paper.gradientClip) \\")
            lines.append("  --output runs/\(model.name)-lr\(lr)")
        }
    }
    return lines.joined(separator: "\n") + "\n"
}

func preparePaperScale(_ run: ChapterRun, rates: (high: Double, low: Double), epochs: Int) throws {
    let book = run.notebook
    book.section("The paper's scale: handing the run to DeepSpeed")
    let training = try run.checkedPath(Artifacts.trainingExamples)
    let validation = try run.checkedPath(Artifacts.validationExamples)
    let ownTokenizer = try run.read(Artifacts.promptingStats).tokenizerSource == PromptingStats.baseTokenizer
    let folder = "paper"
    try run.write("\(folder)/train.jsonl", bytes: try FileIO.read(training))
    try run.write("\(folder)/validation.jsonl", bytes: try FileIO.read(validation))
    try run.write("\(folder)/ds_zero3.json", text: deepSpeedConfig().serialized(pretty: true) + "\n")
    let cwd = FileManager.default.currentDirectoryPath
    let absolute = run.directory.hasPrefix("/") ? run.directory : cwd + "/" + run.directory
    let models = [run.preset.models.small, run.preset.models.large]
    let script = try run.write("\(folder)/run.sh", text: launchCommands(paperDirectory: absolute + "/" + folder, repository: cwd,
                                                                        models: models, rates: rates, epochs: epochs))
    chmod(script, 0o755)
    if ownTokenizer {
        try run.write("\(folder)/OWN_TOKENIZER", text: "train.jsonl was made with our base models' tokenizer (chapter 00), not Polyglot-Ko's.\n")
    }
    book.text("""
    Written to `\(run.directory)/\(folder)/`: `train.jsonl` and `validation.jsonl` (chapter 02's examples, prompt \
    masked), `ds_zero3.json` (ZeRO stage \(Paper.zeroStage), bf16, \(PaperSetup.microBatchPerGPU) sequences per GPU × \
    \(Paper.gpus) GPUs × \(PaperSetup.gradientAccumulation) accumulation = \(PaperSetup.globalBatch), clipping \(Paper.gradientClip) — the \
    layout chapter 03 budgets), and `run.sh` with the \(2 * models.count) runs of Table 4 through `paper-scale/finetune.py`, \
    at learning rates \(rates.high) and \(rates.low) for \(epochs) epochs.
    """)
    if ownTokenizer {
        book.text("**Warning:** chapter 02 used our base models' tokenizer, so these ids do not mean what Polyglot-Ko's embeddings expect. For the real run, give chapter 02 Polyglot-Ko's tokenizer.json (`--tokenizer`) and run this chapter again; `run.sh` refuses to start until then.")
    }
    book.code(try String(decoding: FileIO.read(script), as: UTF8.self), language: "bash")
    try run.finish()
}
