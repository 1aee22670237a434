// The held-out articles: a fixed, seeded set of whole articles that pretraining never sees. Whole articles, not a
// slice of the token stream, so that no held-out sentence has its article's other sentences in training; and
// duplicates are already gone (WikiCleaner), so no copy of a held-out text sits in training either.
//
// API
//   CorpusSplit(articles:heldOut:seed:)     training and held-out articles, each in corpus order
import Plumbing

public struct CorpusSplit: Sendable {
    public var training: [CorpusArticle]
    public var heldOut: [CorpusArticle]
    public var seed: UInt64

    /// A seeded shuffle of the article positions picks the first `heldOut`; both sets keep the corpus order. The same
    /// articles and seed give the same split on every machine (SeededRandom). At least one article must remain for
    /// training.
    public init(articles: [CorpusArticle], heldOut: Int, seed: UInt64) throws {
        guard heldOut >= 0, heldOut < articles.count else {
            throw CorpusError(file: "<corpus>", problem: "cannot hold out \(heldOut) of \(articles.count) articles: at least one must remain for training")
        }
        var order = Array(articles.indices)
        var rng = SeededRandom(seed: seed ^ 0x4845_4C44_4F55_5421)      // "HELDOUT!": a stream of its own
        rng.shuffle(&order)
        let chosen = Set(order.prefix(heldOut))
        self.training = articles.indices.filter { !chosen.contains($0) }.map { articles[$0] }
        self.heldOut = articles.indices.filter { chosen.contains($0) }.map { articles[$0] }
        self.seed = seed
    }
}
