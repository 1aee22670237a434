// What more tokens buy: another run of this chapter with another budget (`--compare-with`), on the same figure.
import Book
import Plumbing
import Repro

/// Another run of chapter 00, read through its manifest: its bases and their held-out curves.
struct OtherBudget {
    var root: String
    var bases: Bases
    var curves: [String: [HeldOutPoint]]

    init(_ run: ChapterRun, root: String) throws {
        self.root = root
        bases = try run.read(Artifacts.bases, root: root)
        var curves: [String: [HeldOutPoint]] = [:]
        for base in bases.models { curves[base.model] = try run.read(Artifacts.heldOutCurve(base.model), root: root).rows }
        self.curves = curves
    }

    /// A base's held-out curve per character of the sample (its own ratio of the two rates), as the figure draws it.
    func curve(_ model: String) -> (x: [Double], y: [Double])? {
        guard let base = bases.base(model), let points = curves[model], base.heldOutSample.perToken > 0 else { return nil }
        let perCharacter = base.heldOutSample.perCharacter / base.heldOutSample.perToken
        return (points.map { Double($0.tokens) }, points.map { $0.loss * perCharacter })
    }

    /// The other run's losses are comparable only on the same held-out articles, tokenized the same way.
    func check(against data: PretrainingData) throws {
        guard bases.heldOutArticles == data.heldOut.documents, bases.heldOutTokens == data.heldOut.targets else {
            throw ModelError("""
            \(root)/\(Chapter.pretraining.folder)/\(Artifacts.bases.path) was measured on \(bases.heldOutArticles) held-out \
            articles (\(bases.heldOutTokens) tokens), this run on \(data.heldOut.documents) (\(data.heldOut.targets) tokens): \
            --compare-with needs a run on the same corpus, with the same seed and tokenizer
            """)
        }
    }
}

extension PretrainingChapter {
    func showWhatMoreTokensBought(_ run: ChapterRun, _ results: [BaseResult], other: OtherBudget) {
        let book = run.notebook
        book.section("What more tokens bought")
        var table = Table(title: "The same models at two budgets, on the same held-out articles (nats)",
                          columns: ["model", "run", "tokens seen", "steps", "per token", "per character", "real-word rate"])
        var sentences: [String] = []
        for r in results {
            let this = (tokens: r.log.tokensSeen, perCharacter: r.heldOut.perCharacter, realWords: r.realWords.rate)
            table.add([r.config.name, "this run", Format.count(this.tokens), Format.count(r.log.steps.count), Format.fixed(r.heldOut.perToken, 3),
                       Format.fixed(this.perCharacter, 3), Format.percent(this.realWords)])
            guard let o = other.bases.base(r.config.name) else { continue }
            table.add([r.config.name, "`\(other.root)`", Format.count(o.tokensSeen), Format.count(o.steps), Format.fixed(o.heldOut.perToken, 3),
                       Format.fixed(o.heldOut.perCharacter, 3), Format.percent(o.realWordRate)])
            let that = (tokens: o.tokensSeen, perCharacter: o.heldOut.perCharacter, realWords: o.realWordRate)
            let (fewer, more) = that.tokens <= this.tokens ? (that, this) : (this, that)
            let target = PretrainingChapter.heldOutTarget
            sentences.append("""
            **\(r.config.name)**: \(Format.fixed(Double(more.tokens) / Double(max(fewer.tokens, 1)), 1))× the tokens \
            (\(Format.count(fewer.tokens)) → \(Format.count(more.tokens))) took the held-out loss from \
            \(Format.fixed(fewer.perCharacter, 3)) to \(Format.fixed(more.perCharacter, 3)) nats per character \
            (\(more.perCharacter <= target ? "at or below" : "\(Format.fixed(more.perCharacter - target, 3)) above") the target of \
            \(target)), and the real-word rate from \(Format.percent(fewer.realWords)) to \(Format.percent(more.realWords)).
            """)
        }
        book.table(table)
        book.text("""
        The held-out figure above draws the other run's curves dotted. Each run decays its learning rate to 0 at its own \
        budget, so the longer run is not the shorter one continued: at the shorter budget it is still at a high rate. \
        Read the ends of the curves against each other.
        """)
        for s in sentences { book.text(s) }
    }
}
