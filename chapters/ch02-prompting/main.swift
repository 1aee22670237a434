// Chapter 02 — prompting and tokenization: how a KoAlpaca record becomes a sequence of token ids and a loss mask.
//
// The paper wraps every record in one of two Korean templates, and fine-tunes on prompt + response + end-of-text with
// the loss on the response only. Polyglot-Ko's own tokenizer is a 30,003-entry byte-level BPE; we train one of the
// same kind on the repaired training text (or load a real tokenizer.json with --tokenizer).
import ArgumentParser
import Repro
import Tensor
import Plumbing
import Book

// Artifacts of this chapter, in one place (artifacts/02-prompting/).
enum Artifact {
    static let tokenizer = "tokenizer.json"       // Hugging Face format: `tokenizers` loads it
    static let training = "train.jsonl"           // {record, input_ids, labels} per line; labels unshifted, -100 = ignore
    static let validation = "validation.jsonl"
    static let stats = "stats.json"               // counts and means, read by chapters 03 and 04
    static let prompts = "prompts.md"             // one example of each template as the model sees it
    static let counts = "counts.md"
    static let lengthFigure = "token-lengths"
    static let fertilityFigure = "tokens-per-syllable"
}

struct PromptingChapter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch02-prompting",
        abstract: "Templates, a byte-level BPE tokenizer, and masked training examples from chapter 01's records.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Prompt template: korean (the paper's) or bilingual (KoAlpaca's English + Korean).")
    var template: PromptTemplate = .korean

    @Option(help: "Use this Hugging Face tokenizer.json (e.g. Polyglot-Ko's) instead of training one.")
    var tokenizer: String?

    @Flag(name: .customLong("no-prompt-mask"), help: "Ablation: put the prompt tokens in the loss too.")
    var noPromptMask = false

    @Flag(name: .customLong("no-eos"), help: "Ablation: do not end responses with the end-of-text token.")
    var noEOS = false

    func run() throws {
        let run = try ChapterRun(2, "prompting", title: "Chapter 02 — Prompts, tokens and the loss mask", options: common)
        let book = run.notebook
        let preset = run.preset
        run.chapterOptions["template"] = .string(template.rawValue)
        run.chapterOptions["prompt_mask"] = .bool(!noPromptMask)
        run.chapterOptions["eos"] = .bool(!noEOS)
        if let tokenizer { run.chapterOptions["tokenizer"] = .string(tokenizer) }

        // MARK: - 2.1 The records and the split
        book.section("2.1 Records and the held-out split")
        let recordsPath = try run.artifact(ofChapter: 1, "data-repair", "repaired.jsonl")
        if let tokenizer { try run.input(tokenizer) }
        if try run.reuseIfFinished() { return }
        let records = try readRecords(recordsPath)
        let (trainIndices, validationIndices) = split(count: records.count, validation: preset.validationRecords,
                                                       maxTraining: preset.maxTrainingRecords, seed: common.seed)
        book.text("""
        \(Format.count(records.count)) repaired records from chapter 01. A seeded shuffle (seed \(common.seed)) holds \
        out \(validationIndices.count) for validation loss; \(trainIndices.count) train\
        \(preset.maxTrainingRecords.map { " (the `\(preset.scale.rawValue)` scale uses at most \(Format.count($0)))" } ?? "").
        """)

        // MARK: - 2.2 The paper's templates
        book.section("2.2 The prompt templates")
        book.text("The paper's two Korean templates, chosen by whether `input` is empty. The prompt ends at `### 응답:`; the model is given it with the newline that follows, and learns to write the response and then the end-of-text token.")
        var promptsMarkdown = "# The templates as the model sees them\n\n"
        for hasInput in [true, false] {
            guard let i = trainIndices.first(where: { records[$0].input.allSatisfy(\.isWhitespace) != hasInput }) else { continue }
            let r = records[i]
            let text = template.promptForGeneration(instruction: r.instruction, input: r.input) + r.output + "<|endoftext|>"
            book.code(text)
            promptsMarkdown += "## Record \(i) (\(hasInput ? "with" : "without") input)\n\n```\n\(text)\n```\n\n"
        }

        // MARK: - 2.3 A byte-level BPE tokenizer
        book.section("2.3 The tokenizer")
        let trainingTexts = trainIndices.map { records[$0] }.map {
            template.promptForGeneration(instruction: $0.instruction, input: $0.input) + $0.output
        }
        let bpe: BPETokenizer
        if let tokenizer {
            bpe = try BPETokenizer(contentsOf: tokenizer)
            book.text("Loaded `\(tokenizer)`: \(Format.count(bpe.vocabularySize)) ids, end-of-text = \(bpe.endOfText).")
        } else {
            bpe = try BPETokenizer.train(texts: trainingTexts, vocabSize: preset.tokenizerVocabSize)
            book.text("""
            Trained a byte-level BPE on the \(trainIndices.count) training texts (prompt and response) to \
            \(Format.count(bpe.vocabularySize)) ids, with Polyglot-Ko's special tokens in Polyglot-Ko's places \
            (`<pad>` 0, `<eos>` 1, `<|endoftext|>` 2, `<|sep|>` 3, and `<|acc|>`, `<|tel|>`, `<|rrn|>` last). \
            Polyglot-Ko's tokenizer has 30,003; the model pads its embedding to a multiple of 128 \
            (\(Format.count(Preset.paddedVocabulary(bpe.vocabularySize))) rows here).
            """)
        }
        try bpe.save(to: run.path(Artifact.tokenizer))
        run.recordOutput(Artifact.tokenizer)

        // MARK: - 2.4 Training examples: ids, labels and the mask
        book.section("2.4 Training examples and the loss mask")
        let options = ExampleOptions(template: template, contextLength: preset.contextLength,
                                     maskPrompt: !noPromptMask, appendEndOfText: !noEOS)
        var examples: [String: [TrainingExample]] = [:]
        var dropped = 0, truncated = 0
        // Validation always measures the response alone (the prompt masked), whatever the training mask, so that the
        // validation loss of the --no-prompt-mask ablation is comparable with the baseline's.
        var validationOptions = options
        validationOptions.maskPrompt = true
        for (name, indices, opts) in [("training", trainIndices, options), ("validation", validationIndices, validationOptions)] {
            var kept: [TrainingExample] = []
            for i in indices {
                switch makeExample(records[i], index: i, tokenizer: bpe, options: opts) {
                case .kept(let e): kept.append(e); if e.truncated { truncated += 1 }
                case .dropped: dropped += 1
                }
            }
            examples[name] = kept
        }
        let training = examples["training"]!, validation = examples["validation"]!
        try run.writeJSONLines(Artifact.training, training.map(\.json))
        try run.writeJSONLines(Artifact.validation, validation.map(\.json))

        let all = training + validation
        let tokens = all.reduce(0) { $0 + $1.inputIDs.count }
        let labelled = all.reduce(0) { $0 + $1.labels.filter { $0 != ignoreIndex }.count }
        let mean = Double(tokens) / Double(max(all.count, 1))
        var counts = Table(title: "Examples at context \(preset.contextLength)", columns: ["", "count"])
        counts.add(["training examples", Format.count(training.count)])
        counts.add(["validation examples", Format.count(validation.count)])
        counts.add(["tokens (prompt + response + EOS)", Format.count(tokens)])
        counts.add(["mean tokens per example", Format.fixed(mean, 1)])
        counts.add(["positions in the loss", Format.count(labelled)])
        counts.add(["masked (prompt) fraction", Format.percent(1 - Double(labelled) / Double(max(tokens, 1)))])
        counts.add(["truncated (response cut at the end)", Format.count(truncated)])
        counts.add(["dropped (prompt alone fills the context)", Format.count(dropped)])
        book.table(counts)
        try run.write(Artifact.counts, table: counts)

        if let example = training.first {
            book.text("The first training example, token by token: the prompt positions carry label −100 and are skipped by the loss; the first response token is the first label.")
            var view = Table(title: "Record \(example.record): positions around the prompt/response boundary", columns: ["position", "token", "BPE symbol", "id", "label"])
            let lo = max(0, example.promptTokens - 4), hi = min(example.inputIDs.count, example.promptTokens + 4)
            for t in lo..<hi {
                // A Hangul syllable is three UTF-8 bytes; a token may hold only part of one, which decodes to �.
                let text = bpe.decode([example.inputIDs[t]])
                view.add(["\(t)", text.contains("\u{FFFD}") ? "(part of a character)" : text.debugDescription,
                          bpe.token(of: example.inputIDs[t]) ?? "?", "\(example.inputIDs[t])",
                          example.labels[t] == ignoreIndex ? "−100 (ignored)" : "\(example.labels[t])"])
            }
            book.table(view)
            promptsMarkdown += view.markdown
        }
        try run.write(Artifact.prompts, text: promptsMarkdown)

        try run.figure(Figure(name: Artifact.lengthFigure, title: "토큰 길이 분포 (token lengths)", xLabel: "tokens", yLabel: "examples",
                              kind: .histogram(binWidth: Double(max(preset.contextLength / 32, 2))),
                              series: [Figure.Series("prompt (masked)", values: all.map { Double($0.promptTokens) }),
                                       Figure.Series("response + EOS", values: all.map { Double($0.responseTokens) })]),
                       caption: "Prompts are long because the template itself is; most of each sequence is masked.")

        // Tokens per Hangul syllable on the responses: how finely the tokenizer cuts Korean.
        let responses = trainIndices.map { records[$0].output }
        let syllables = responses.reduce(0) { $0 + hangulSyllables($1) }
        let responseTokens = responses.reduce(0) { $0 + bpe.encode($1).count }
        let fertility = Double(responseTokens) / Double(max(syllables, 1))
        book.text("On the training responses our tokenizer uses \(Format.fixed(fertility, 3)) tokens per Hangul syllable (\(Format.count(responseTokens)) tokens for \(Format.count(syllables)) syllables, other characters included in the tokens).")
        try run.figure(Figure(name: Artifact.fertilityFigure, title: "Tokens per Hangul syllable (training responses)",
                              xLabel: "tokenizer", yLabel: "tokens / syllable", kind: .bars,
                              series: [Figure.Series("tokens per syllable", x: [], y: [fertility])],
                              categories: [tokenizer == nil ? "ours (\(bpe.vocabularySize) ids)" : "loaded (\(bpe.vocabularySize) ids)"]))

        let stats = JSON([
            "records": .number(Double(records.count)),
            "training_examples": .number(Double(training.count)),
            "validation_examples": .number(Double(validation.count)),
            "mean_tokens_per_record": .number(mean),
            "tokens": .number(Double(tokens)),
            "labelled_positions": .number(Double(labelled)),
            "truncated": .number(Double(truncated)),
            "dropped": .number(Double(dropped)),
            "tokens_per_syllable": .number(fertility),
            "vocabulary_size": .number(Double(bpe.vocabularySize)),
            "context_length": .number(Double(preset.contextLength)),
        ])
        try run.write(Artifact.stats, text: stats.serialized(pretty: true) + "\n")
        try run.finish()
    }
}

extension PromptTemplate: ExpressibleByArgument {}

PromptingChapter.main()
