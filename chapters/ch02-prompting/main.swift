// Chapter 02 — prompting and tokenization: how a KoAlpaca record becomes a sequence of token ids and a loss mask.
//
// The paper wraps every record in one of two Korean templates, and fine-tunes on prompt + response + end-of-text with
// the loss on the response only, tokenized with Polyglot-Ko's own tokenizer, a 30,003-entry byte-level BPE. We
// tokenize with our base models' tokenizer, trained on their pretraining corpus in chapter 00 (or any tokenizer.json
// with --tokenizer, Polyglot-Ko's at the paper's scale).
import ArgumentParser
import Book
import Plumbing
import Repro

// Files of this chapter's own (what it hands on is `Artifacts.tokenizer`, `.trainingExamples`,
// `.validationExamples` and `.promptingStats`).
enum Output {
    static let prompts = "prompts.md"             // one example of each template as the model sees it
    static let counts = "counts.md"
    static let lengthFigure = "token-lengths"
    static let fertilityFigure = "tokens-per-syllable"
}

struct PromptingChapter: ChapterCommand {
    static let chapter = Chapter.prompting

    @OptionGroup var common: CommonOptions

    @Option(help: "Prompt template: korean (the paper's) or bilingual (KoAlpaca's English + Korean).")
    var template: PromptTemplate = .korean

    @Option(help: "Use this Hugging Face tokenizer.json (e.g. Polyglot-Ko's) instead of the base models' (chapter 00).")
    var tokenizer: String?

    @Flag(name: .customLong("no-prompt-mask"), help: "Ablation: put the prompt tokens in the loss too.")
    var noPromptMask = false

    @Flag(name: .customLong("no-eos"), help: "Ablation: do not end responses with the end-of-text token.")
    var noEOS = false

    @Option(parsing: .unconditional, help: "Train on at most this many records (default: the scale's own limit; a number above the records there are takes them all). The validation records stay the same.")
    var trainingRecords: Int?

    func validate() throws {
        if let trainingRecords, trainingRecords < 1 {
            throw ValidationError("--training-records must be 1 or more (got \(trainingRecords))")
        }
        if common.scale == .paper && tokenizer == nil {
            throw ValidationError("at --scale paper the examples are tokenized with Polyglot-Ko's tokenizer: give --tokenizer <polyglot-ko>/tokenizer.json")
        }
    }

    func run() throws {
        let run = try ChapterRun(self)
        let records = try run.read(Artifacts.repairedRecords).records
        let bpe = try loadTokenizer(run)
        if try run.reuseIfFinished() { return }

        let split = splitRecords(run, records)
        var prompts = showTemplates(run, records, training: split.training)
        try describeTokenizer(run, bpe)
        let examples = try makeExamples(run, records, split, tokenizer: bpe, prompts: &prompts)
        try run.write(Output.prompts, text: prompts)
        let fertility = try measureTokenizer(run, examples, responses: split.training.map { records[$0].output }, tokenizer: bpe)
        try run.write(Artifacts.promptingStats, stats(records: records.count, examples, fertility: fertility, tokenizer: bpe))
        try run.finish()
    }
}

/// The examples chapter 02 made, with what it counted while making them.
struct MadeExamples {
    var training: [TrainingExample]
    var validation: [TrainingExample]
    var truncated: Int
    var dropped: Int
    var contextLength: Int
    var all: [TrainingExample] { training + validation }
    var tokens: Int { all.reduce(0) { $0 + $1.inputIDs.count } }
    var labelled: Int { all.reduce(0) { $0 + $1.labels.filter { $0 != ignoreIndex }.count } }
}

extension PromptingChapter {
    func splitRecords(_ run: ChapterRun, _ records: [InstructionRecord]) -> (training: [Int], validation: [Int]) {
        run.notebook.section("Records and the held-out split")
        let preset = run.preset
        let limit = trainingRecords ?? preset.maxTrainingRecords
        let (training, validation) = split(count: records.count, validation: preset.validationRecords,
                                           maxTraining: limit, seed: common.seed)
        run.notebook.text("""
        \(Format.count(records.count)) repaired records from chapter 01. A seeded shuffle (seed \(common.seed)) holds \
        out \(validation.count) for validation loss; \(training.count) train\(limitNote(limit, available: records.count - validation.count, scale: preset.scale)).
        """)
        if limit != nil {
            run.notebook.text("The training records are the first of the same shuffle, so a larger limit keeps these and adds more, and the validation records do not move.")
        }
        return (training, validation)
    }

    /// Where the training records stop, and why: the scale's limit or --training-records.
    func limitNote(_ limit: Int?, available: Int, scale: Scale) -> String {
        guard let limit else { return "" }
        let source = trainingRecords == nil ? "the `\(scale.rawValue)` scale's limit" : "`--training-records \(limit)`"
        return limit < available ? " (at most \(Format.count(limit)): \(source); \(Format.count(available - limit)) more are there)"
                                 : " (all there are; \(source) is \(Format.count(limit)))"
    }

    /// One record of each template exactly as the model sees it; returns the start of prompts.md.
    func showTemplates(_ run: ChapterRun, _ records: [InstructionRecord], training: [Int]) -> String {
        let book = run.notebook
        book.section("The prompt templates")
        book.text("The paper's two Korean templates, chosen by whether `input` is empty. The prompt ends at `### 응답:`; the model is given it with the newline that follows, and learns to write the response and then the end-of-text token.")
        var markdown = "# The templates as the model sees them\n\n"
        for hasInput in [true, false] {
            guard let i = training.first(where: { records[$0].input.allSatisfy(\.isWhitespace) != hasInput }) else { continue }
            let r = records[i]
            let text = template.promptForGeneration(instruction: r.instruction, input: r.input) + r.output + "<|endoftext|>"
            book.code(text)
            markdown += "## Record \(i) (\(hasInput ? "with" : "without") input)\n\n```\n\(text)\n```\n\n"
        }
        return markdown
    }

    /// The base models' tokenizer (chapter 00), or the file given with --tokenizer; either is an input of this run.
    func loadTokenizer(_ run: ChapterRun) throws -> BPETokenizer {
        guard let tokenizer else { return try run.read(Artifacts.baseTokenizer) }
        try run.input(tokenizer)
        return try BPETokenizer(contentsOf: tokenizer)
    }

    func describeTokenizer(_ run: ChapterRun, _ bpe: BPETokenizer) throws {
        run.notebook.section("The tokenizer")
        if let tokenizer {
            run.notebook.text("Loaded `\(tokenizer)`: \(Format.count(bpe.vocabularySize)) ids, end-of-text = \(bpe.endOfText).")
        } else {
            run.notebook.text("""
            The base models' tokenizer, trained by chapter 00 on their Wikipedia text: \(Format.count(bpe.vocabularySize)) \
            ids, with Polyglot-Ko's special tokens in Polyglot-Ko's places (`<pad>` 0, `<eos>` 1, `<|endoftext|>` 2, \
            `<|sep|>` 3, and `<|acc|>`, `<|tel|>`, `<|rrn|>` last). A fine-tuned model reads the ids its base read, so the \
            instructions are tokenized with its tokenizer, as the paper's are with Polyglot-Ko's (30,003 ids).
            """)
        }
        try run.write(Artifacts.tokenizer, bpe)
    }

    func makeExamples(_ run: ChapterRun, _ records: [InstructionRecord], _ split: (training: [Int], validation: [Int]),
                      tokenizer bpe: BPETokenizer, prompts: inout String) throws -> MadeExamples {
        run.notebook.section("Training examples and the loss mask")
        let options = ExampleOptions(template: template, contextLength: run.preset.contextLength,
                                     maskPrompt: !noPromptMask, appendEndOfText: !noEOS)
        // Validation always measures the response alone (the prompt masked), whatever the training mask, so that the
        // validation loss of the --no-prompt-mask ablation is comparable with the baseline's.
        var validationOptions = options
        validationOptions.maskPrompt = true
        var made = MadeExamples(training: [], validation: [], truncated: 0, dropped: 0, contextLength: options.contextLength)
        for (indices, opts, isTraining) in [(split.training, options, true), (split.validation, validationOptions, false)] {
            for i in indices {
                switch makeExample(records[i], index: i, tokenizer: bpe, options: opts) {
                case .kept(let e, let truncated):
                    if isTraining { made.training.append(e) } else { made.validation.append(e) }
                    if truncated { made.truncated += 1 }
                case .dropped: made.dropped += 1
                }
            }
        }
        try run.write(Artifacts.trainingExamples, JSONLines(made.training))
        try run.write(Artifacts.validationExamples, JSONLines(made.validation))
        let counts = countsTable(made)
        run.notebook.table(counts)
        try run.write(Output.counts, table: counts)
        if let example = made.training.first { prompts += boundaryView(run, example, tokenizer: bpe).markdown }
        return made
    }

    func countsTable(_ made: MadeExamples) -> Table {
        let mean = Double(made.tokens) / Double(max(made.all.count, 1))
        var counts = Table(title: "Examples at context \(made.contextLength)", columns: ["", "count"])
        counts.add(["training examples", Format.count(made.training.count)])
        counts.add(["validation examples", Format.count(made.validation.count)])
        counts.add(["tokens (prompt + response + EOS)", Format.count(made.tokens)])
        counts.add(["mean tokens per example", Format.fixed(mean, 1)])
        counts.add(["positions in the loss", Format.count(made.labelled)])
        counts.add(["masked (prompt) fraction", Format.percent(1 - Double(made.labelled) / Double(max(made.tokens, 1)))])
        counts.add(["truncated (response cut at the end)", Format.count(made.truncated)])
        counts.add(["dropped (prompt alone fills the context)", Format.count(made.dropped)])
        return counts
    }

    /// The first training example, token by token around the prompt/response boundary.
    func boundaryView(_ run: ChapterRun, _ example: TrainingExample, tokenizer bpe: BPETokenizer) -> Table {
        run.notebook.text("The first training example, token by token: the prompt positions carry label −100 and are skipped by the loss; the first response token is the first label.")
        var view = Table(title: "Record \(example.record): positions around the prompt/response boundary",
                         columns: ["position", "token", "BPE symbol", "id", "label"])
        let lo = max(0, example.promptTokens - 4), hi = min(example.inputIDs.count, example.promptTokens + 4)
        for t in lo..<hi {
            // A Hangul syllable is three UTF-8 bytes; a token may hold only part of one, which decodes to �.
            let text = bpe.decode([example.inputIDs[t]])
            view.add(["\(t)", text.contains("\u{FFFD}") ? "(part of a character)" : text.debugDescription,
                      bpe.token(of: example.inputIDs[t]) ?? "?", "\(example.inputIDs[t])",
                      example.labels[t] == ignoreIndex ? "−100 (ignored)" : "\(example.labels[t])"])
        }
        run.notebook.table(view)
        return view
    }

    /// The length figure, and tokens per Hangul syllable on the responses: how finely the tokenizer cuts Korean.
    func measureTokenizer(_ run: ChapterRun, _ made: MadeExamples, responses: [String], tokenizer bpe: BPETokenizer) throws -> Double {
        let context = run.preset.contextLength
        try run.figure(Figure(name: Output.lengthFigure, title: "토큰 길이 분포 (token lengths)", xLabel: "tokens", yLabel: "examples",
                              kind: .histogram(binWidth: Double(max(context / 32, 2))),
                              series: [Figure.Series("prompt (masked)", values: made.all.map { Double($0.promptTokens) }),
                                       Figure.Series("response + EOS", values: made.all.map { Double($0.responseTokens) })]),
                       caption: "Prompts are long because the template itself is; most of each sequence is masked.")
        let syllables = responses.reduce(0) { $0 + hangulSyllables($1) }
        let responseTokens = responses.reduce(0) { $0 + bpe.encode($1).count }
        let fertility = Double(responseTokens) / Double(max(syllables, 1))
        run.notebook.text("On the training responses our tokenizer uses \(Format.fixed(fertility, 3)) tokens per Hangul syllable (\(Format.count(responseTokens)) tokens for \(Format.count(syllables)) syllables, other characters included in the tokens).")
        try run.figure(Figure(name: Output.fertilityFigure, title: "Tokens per Hangul syllable (training responses)",
                              xLabel: "tokenizer", yLabel: "tokens / syllable", kind: .bars,
                              series: [Figure.Series("tokens per syllable", x: [], y: [fertility])],
                              categories: [tokenizer == nil ? "the bases' (\(bpe.vocabularySize) ids)" : "loaded (\(bpe.vocabularySize) ids)"]))
        return fertility
    }

    func stats(records: Int, _ made: MadeExamples, fertility: Double, tokenizer bpe: BPETokenizer) -> PromptingStats {
        PromptingStats(records: records, trainingExamples: made.training.count, validationExamples: made.validation.count,
                       meanTokensPerRecord: Double(made.tokens) / Double(max(made.all.count, 1)), tokens: made.tokens,
                       labelledPositions: made.labelled, truncated: made.truncated, dropped: made.dropped,
                       tokensPerSyllable: fertility, vocabularySize: bpe.vocabularySize,
                       contextLength: made.contextLength, template: template,
                       tokenizerSource: tokenizer ?? PromptingStats.baseTokenizer)
    }
}

extension PromptTemplate: ExpressibleByArgument {}

PromptingChapter.main()
