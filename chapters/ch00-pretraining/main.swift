// Chapter 00 — pretraining: what the paper took off the shelf, built in the open.
//
// The paper fine-tunes Polyglot-Ko, which EleutherAI pretrained on a large Korean corpus. Instruction tuning teaches a
// model that already knows the language to follow instructions; a model from random weights has nothing to follow
// them with. This chapter makes the course's stand-ins for Polyglot-Ko: it reads Korean Wikipedia, trains the
// tokenizer on it (as a base model's tokenizer comes from its corpus), and pretrains the course's two models with the
// same GPT-NeoX code and training loop as chapter 04, on packed sequences where every position is a target. What it
// writes is what a user would otherwise download: Hugging Face directories that transformers loads.
import ArgumentParser
import Book
import Plumbing
import Repro

// Files of this chapter's own (what it hands on is `Artifacts.baseTokenizer`, `.base(_:)`, `.bases`, `.heldOutArticles`).
enum Output {
    static let corpus = "corpus.md"
    static let results = "bases.md"
    static let samples = "samples.md"
    static let heldOutFigure = "held-out-loss"
    static let trainingFigure = "training-loss"
}

struct PretrainingChapter: ChapterCommand {
    static let chapter = Chapter.pretraining
    static let runControl: Set = ["resuming"]

    @OptionGroup var common: CommonOptions

    @Option(help: "The WikiExtractor output to pretrain on (default: <data-dir>/pretraining/kowiki-sample; a full kowiki extraction works the same).")
    var corpus: String?

    @Option(help: "pair: the course's two models (chapter 04's grid); small: the pair's small model alone (a second budget to compare, say); sweep: Polyglot-Ko's four shapes scaled down (chapter 06's sizes ablation).")
    var models: BaseSet = .pair

    @Option(parsing: .unconditional, help: "Positions to train on per base model (default: the preset's budget).")
    var tokens: Int?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Peak learning rate of pretraining (default: the preset's).")
    var learningRate: Double?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Sequences per optimizer step (default: the preset's); the micro-batch is the preset's, or the batch if smaller.")
    var batchSize: Int?

    @Option(name: .customLong("compare-with"), help: "Another run's artifacts folder whose chapter 00 pretrained on the same corpus with another budget: its held-out curves are drawn beside this run's, and the notebook says what the extra tokens bought.")
    var compareWith: String?

    @OptionGroup var resuming: Resuming

    func validate() throws {
        // 2⁴⁰ positions is months on two cores; a larger budget is a typo (and would overflow the step count).
        if let tokens, !(1...(1 << 40)).contains(tokens) { throw ValidationError("--tokens must be from 1 to 2^40") }
        if let batchSize, !(1...4096).contains(batchSize) { throw ValidationError("--batch-size must be from 1 to 4096") }
        if let learningRate, !(learningRate.isFinite && learningRate > 0 && learningRate < 1) {
            throw ValidationError("--learning-rate must be a positive finite number below 1")
        }
        func folder(_ path: String) -> Substring { path.count > 1 && path.hasSuffix("/") ? path.dropLast() : Substring(path) }
        if let compareWith, folder(compareWith) == folder(common.outputDirectory) {
            throw ValidationError("--compare-with names this run's own --out; give the artifacts folder of another run of chapter 00")
        }
        if common.scale == .paper, let ignored = [(tokens != nil, "--tokens"), (learningRate != nil, "--learning-rate"), (batchSize != nil, "--batch-size"),
                                                  (models != .pair, "--models"), (compareWith != nil, "--compare-with"), (resuming.resume, "--resume"),
                                                  (resuming.stopAfter != nil, "--stop-after")].first(where: \.0)?.1 {
            throw ValidationError("--scale paper takes Polyglot-Ko off the shelf; \(ignored) does not apply there")
        }
    }

    func run() throws {
        let run = try ChapterRun(self)
        if common.scale == .paper { return try offTheShelf(run) }
        let corpus = try readCorpus(run)
        let other = try compareWith.map { try OtherBudget(run, root: $0) }   // read (and recorded) before the reuse check
        if resuming.stopAfter == nil, try run.reuseIfFinished() { return }
        let split = try holdOut(run, corpus)
        let tokenizer = try trainTokenizer(run, split)
        let data = try packAndMeasureBaselines(run, split, tokenizer: tokenizer)
        try other?.check(against: data)
        var results: [BaseResult] = []
        for config in baseConfigs(run, tokenizer: tokenizer) {
            guard let result = try pretrainBase(run, config, data) else {
                return run.notebook.text("Stopped early (--stop-after \(resuming.stopAfter ?? 0)); run again with --resume to finish.")
            }
            results.append(result)
        }
        try showWhatPretrainingBought(run, results, data: data, other: other)
        if let other { showWhatMoreTokensBought(run, results, other: other) }
        try run.finish()
    }
}

extension PretrainingChapter {
    var corpusDirectory: String { corpus ?? common.resolvedDataDirectory + "/pretraining/kowiki-sample" }

    func readCorpus(_ run: ChapterRun) throws -> CleanedCorpus {
        run.notebook.section("The corpus: Korean Wikipedia")
        let files = try WikiExtractor.files(in: corpusDirectory)
        for file in files { try run.input(file) }
        let articles = try WikiExtractor.read(directory: corpusDirectory)
        let cleaned = WikiCleaner(minimumCharacters: run.preset.pretraining.minimumCharacters).clean(articles)
        let r = cleaned.report
        run.notebook.text("""
        \(Format.count(files.count)) files of WikiExtractor output in `\(corpusDirectory)`: \(Format.count(r.articlesRead)) articles, \
        \(Format.count(r.charactersRead)) characters. Korean Wikipedia, CC BY-SA (attribution: Korean Wikipedia contributors); \
        it shares no text with KoAlpaca, NSMC or the news articles of chapter 05. Cleaning removes what WikiExtractor leaves \
        behind and never rewrites a sentence; articles shorter than \(r.minimumCharacters) characters after cleaning \
        (mostly stubs of a line or two) are left out. \(Format.count(r.articlesKept)) articles remain, \
        \(Format.count(r.charactersKept)) characters (\(Format.count(r.hangulKept)) Hangul syllables).
        """)
        run.notebook.table(cleaningTable(r))
        return cleaned   // its table is written after the reuse check: a write would end any reuse
    }

    func cleaningTable(_ report: CleaningReport) -> Table {
        Table(title: "What cleaning changed and left out", columns: CleaningReport.columns, rows: report.rows)
    }

    func holdOut(_ run: ChapterRun, _ corpus: CleanedCorpus) throws -> CorpusSplit {
        try run.write(Output.corpus, table: cleaningTable(corpus.report))
        let split = try CorpusSplit(articles: corpus.articles, heldOut: run.preset.pretraining.heldOutArticles, seed: common.seed)
        let articles = split.heldOut.map { HeldOutArticle(id: $0.id, title: $0.title, text: $0.text) }
        let sample = run.preset.pretraining.heldOutSampleArticles
        try run.write(Artifacts.heldOutArticles, JSONLines(articles))
        try run.write(Artifacts.heldOutSample, JSONLines(Array(articles.prefix(sample))))
        run.notebook.text("""
        A seeded choice (seed \(common.seed)) of \(split.heldOut.count) whole articles is held out: pretraining never sees \
        them (`\(Artifacts.heldOutArticles.path)`). The held-out loss during training is measured on the first \
        \(min(sample, articles.count)) of them (`\(Artifacts.heldOutSample.path)`, which chapter 04 measures again after \
        fine-tuning, to see how much of what pretraining built survives), and on all of them at the end.
        """)
        return split
    }

    func trainTokenizer(_ run: ChapterRun, _ split: CorpusSplit) throws -> BPETokenizer {
        run.notebook.section("A tokenizer from the corpus")
        let tokenizer = try BPETokenizer.train(texts: split.training.map(\.text), vocabSize: run.preset.tokenizerVocabSize)
        try run.write(Artifacts.baseTokenizer, tokenizer)
        run.notebook.text("""
        A byte-level BPE of \(Format.count(tokenizer.vocabularySize)) ids trained on the \(Format.count(split.training.count)) \
        training articles, with Polyglot-Ko's special tokens in Polyglot-Ko's places (`<pad>` 0, `<eos>` 1, `<|endoftext|>` \
        2, `<|sep|>` 3, and `<|acc|>`, `<|tel|>`, `<|rrn|>` last), exactly as Hugging Face `tokenizers` trains one. A base \
        model's tokenizer comes from its corpus, so chapter 02 tokenizes the instructions with this one, as the paper's \
        data is tokenized with Polyglot-Ko's (30,003 ids). The model pads its embedding to \
        \(Format.count(Preset.paddedVocabulary(tokenizer.vocabularySize))) rows.
        """)
        return tokenizer
    }

    func packAndMeasureBaselines(_ run: ChapterRun, _ split: CorpusSplit, tokenizer: BPETokenizer) throws -> PretrainingData {
        run.notebook.section("Packed sequences, and what frequencies alone predict")
        let training = TokenStream(articles: split.training, tokenizer: tokenizer)
        let heldOut = TokenStream(articles: split.heldOut, tokenizer: tokenizer)
        let heldOutSample = TokenStream(articles: Array(split.heldOut.prefix(run.preset.pretraining.heldOutSampleArticles)), tokenizer: tokenizer)
        let sequences = try PackedSequences(stream: training, contextLength: run.preset.contextLength)
        let budget = budget(run.preset)
        let unigram = UnigramModel(ids: training.ids, vocabularySize: tokenizer.vocabularySize).crossEntropy(on: heldOut)
        let bigram = BigramModel(ids: training.ids, vocabularySize: tokenizer.vocabularySize).crossEntropy(on: heldOut)
        run.notebook.text("""
        Each training article is encoded, the end-of-text token between articles, and the stream cut into \
        \(Format.count(sequences.count)) sequences of \(sequences.contextLength) positions, every one a target, no padding \
        (an article may begin mid-sequence; its end-of-text token says a new one starts). The training text is \
        \(Format.count(training.documentTokens)) tokens (\(Format.fixed(training.tokensPerCharacter, 3)) per character, \
        \(Format.fixed(training.tokensPerHangulSyllable, 3)) per Hangul syllable); the budget of \(Format.count(budget)) \
        positions per base is \(Format.fixed(Double(budget) / Double(max(sequences.count * sequences.contextLength, 1)), 2)) \
        passes over it. The held-out articles are \(Format.count(heldOut.documentTokens)) tokens.
        """)
        var baselines = Table(title: "Held-out loss of the baselines (nats)", columns: ["model", "per token", "per character", "per Hangul syllable"])
        for (name, c) in [("unigram (token frequencies, add-one)", unigram), ("bigram (the previous token, Kneser–Ney)", bigram)] {
            baselines.add([name, Format.fixed(c.perToken, 3), Format.fixed(c.perCharacter, 3), Format.fixed(c.perHangulSyllable, 3)])
        }
        baselines.notes = ["Trained on the training stream, measured on the held-out stream. Per character and per syllable divide the same summed loss by the text's size, which no tokenizer changes."]
        run.notebook.table(baselines)
        return PretrainingData(tokenizer: tokenizer, sequences: sequences, heldOut: heldOut, heldOutSample: heldOutSample,
                               heldOutWords: Eojeol.vocabulary(of: split.heldOut.map(\.text)),
                               unigram: unigram, bigram: bigram)
    }

    /// The models to pretrain, with the tokenizer's vocabulary: the shapes chapter 04 fine-tunes.
    func baseConfigs(_ run: ChapterRun, tokenizer: BPETokenizer) -> [NeoXConfig] {
        let shapes: [NeoXConfig]
        switch models {
        case .pair: shapes = [run.preset.models.small, run.preset.models.large]
        case .small: shapes = [run.preset.models.small]
        case .sweep: shapes = run.preset.sizeSweep
        }
        return shapes.map { base in
            var config = base
            config.vocabSize = Preset.paddedVocabulary(tokenizer.vocabularySize)
            config.maxPositions = max(config.maxPositions, run.preset.contextLength)
            return config
        }
    }

    /// Positions per base: `--tokens`, else the preset's budget for the pair or for the sweep.
    func budget(_ preset: Preset) -> Int {
        tokens ?? (models == .sweep ? preset.pretraining.sweepTokens : preset.pretraining.tokens)
    }

    var recipe: (Preset) -> Recipe {
        { preset in
            let p = preset.pretraining, batch = batchSize ?? p.batchSize
            return Recipe(epochs: 1, batchSize: batch, microBatchSize: min(p.microBatchSize, batch), warmupRatio: p.warmupRatio,
                          gradientClip: preset.gradientClip, seed: common.seed, validateEvery: 1, checkpointEvery: 1)
        }
    }

    func pretrainBase(_ run: ChapterRun, _ config: NeoXConfig, _ data: PretrainingData) throws -> BaseResult? {
        run.notebook.section("Pretraining \(config.name)")
        let p = run.preset.pretraining, recipe = recipe(run.preset)
        let budget = budget(run.preset), rate = learningRate ?? p.learningRate
        run.notebook.text("""
        \(config.name) (\(Format.count(config.parameterCount)) parameters) from random weights: \(Format.count(budget)) \
        positions in batches of \(recipe.batchSize) sequences (\(recipe.microBatchSize) per micro-batch), AdamW at a peak learning \
        rate of \(Format.scientific(rate, 1)), linear warmup over \(Format.percent(p.warmupRatio, 0)) of the steps then \
        cosine decay to 0, clipping at \(run.preset.gradientClip): chapter 04's loop. The held-out loss is measured \
        \(p.validations) times, and the sample prompts are continued at a few of them.
        """)
        return try pretrain(config, data: data, recipe: recipe, learningRate: rate, tokens: budget, run: run,
                            resume: resuming.resume, stopAfter: resuming.stopAfter)
    }

    func offTheShelf(_ run: ChapterRun) throws {
        run.notebook.section("The paper's scale: Polyglot-Ko off the shelf")
        run.notebook.text("""
        The paper did not pretrain: it fine-tuned EleutherAI's Polyglot-Ko \
        (\(NeoXConfig.polyglotKo.map(\.name).joined(separator: ", "))), published on the Hugging Face Hub as \
        `EleutherAI/polyglot-ko-*` with their tokenizer. At this scale chapter 02 takes that tokenizer \
        (`--tokenizer <polyglot-ko>/tokenizer.json`) and chapter 04 hands the fine-tuning to DeepSpeed.
        """)
        try run.finish()
    }
}

/// Which models chapter 00 pretrains.
enum BaseSet: String, CaseIterable, ExpressibleByArgument {
    case pair, small, sweep
}

PretrainingChapter.main()
