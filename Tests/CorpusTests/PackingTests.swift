import XCTest
import Plumbing
@testable import Repro

/// The fixture's kept articles and a small BPE trained on them (shared by the tests that need ids).
enum FixtureCorpus {
    static let articles: [CorpusArticle] = {
        WikiCleaner().clean(try! WikiExtractor.read(directory: kowikiFixture)).articles
    }()
    static let tokenizer: BPETokenizer = {
        try! BPETokenizer.train(texts: articles.map(\.text), vocabSize: 400)
    }()
}

final class SplitTests: XCTestCase {
    func testTheSplitIsSeededDisjointAndKeepsCorpusOrder() throws {
        let articles = FixtureCorpus.articles
        let split = try CorpusSplit(articles: articles, heldOut: 5, seed: 1234)
        XCTAssertEqual(split.heldOut.count, 5)
        XCTAssertEqual(split.training.count, articles.count - 5)
        XCTAssertTrue(Set(split.training.map(\.id)).isDisjoint(with: split.heldOut.map(\.id)))
        XCTAssertEqual(Set(split.training.map(\.id) + split.heldOut.map(\.id)), Set(articles.map(\.id)))
        let position = Dictionary(uniqueKeysWithValues: articles.enumerated().map { ($1.id, $0) })
        for part in [split.training, split.heldOut] {
            let places = part.map { position[$0.id]! }
            XCTAssertEqual(places, places.sorted(), "each side keeps the corpus order")
        }
        let again = try CorpusSplit(articles: articles, heldOut: 5, seed: 1234)
        XCTAssertEqual(again.heldOut.map(\.id), split.heldOut.map(\.id))
        let other = try CorpusSplit(articles: articles, heldOut: 5, seed: 1235)
        XCTAssertNotEqual(other.heldOut.map(\.id), split.heldOut.map(\.id))
        XCTAssertEqual(try CorpusSplit(articles: articles, heldOut: 0, seed: 1).training.count, articles.count)
    }

    func testAtLeastOneArticleMustRemainForTraining() {
        let articles = Array(FixtureCorpus.articles.prefix(3))
        XCTAssertThrowsError(try CorpusSplit(articles: articles, heldOut: 3, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("cannot hold out 3 of 3 articles"), "\(error)")
        }
        XCTAssertThrowsError(try CorpusSplit(articles: articles, heldOut: -1, seed: 1))
    }
}

final class PackingTests: XCTestCase {
    func testTheStreamHoldsEveryArticleInOrderWithEndOfTextBetween() {
        let tokenizer = FixtureCorpus.tokenizer, articles = FixtureCorpus.articles
        let stream = TokenStream(articles: articles, tokenizer: tokenizer)
        let eos = tokenizer.endOfText
        XCTAssertEqual(eos, 2)
        XCTAssertEqual(stream.documents, articles.count)
        var expected: [Int32] = [eos]
        for article in articles { expected += tokenizer.encode(article.text) + [eos] }
        XCTAssertEqual(stream.ids, expected)
        for (article, start) in zip(articles, stream.documentStarts) {
            let ids = tokenizer.encode(article.text)
            XCTAssertEqual(stream.ids[start - 1], eos)
            XCTAssertEqual(Array(stream.ids[start..<(start + ids.count)]), ids)
            XCTAssertEqual(stream.ids[start + ids.count], eos)
            XCTAssertFalse(ids.contains(eos), "no article holds an end-of-text of its own")
        }
        XCTAssertEqual(stream.documentTokens, stream.ids.count - articles.count - 1)
        XCTAssertEqual(stream.targets, stream.ids.count - 1)
        XCTAssertEqual(stream.characters, articles.reduce(0) { $0 + $1.characters })
        XCTAssertEqual(stream.hangulSyllables, articles.reduce(0) { $0 + $1.hangulSyllables })
        XCTAssertEqual(stream.tokensPerCharacter, Double(stream.documentTokens) / Double(stream.characters))
        XCTAssertEqual(stream.tokensPerHangulSyllable, Double(stream.documentTokens) / Double(stream.hangulSyllables))
        // Decoding the stream gives the articles back, joined by end-of-text.
        XCTAssertEqual(tokenizer.decode(stream.ids), "<|endoftext|>" + articles.map { $0.text + "<|endoftext|>" }.joined())
    }

    func testSequencesShiftByOneAndCoverEveryTargetOnce() throws {
        let stream = TokenStream(articles: FixtureCorpus.articles, tokenizer: FixtureCorpus.tokenizer)
        let contextLength = 16
        let packed = try PackedSequences(stream: stream, contextLength: contextLength)
        XCTAssertEqual(packed.count, (stream.ids.count - 1) / contextLength)
        XCTAssertEqual(packed.leftOver, stream.ids.count - 1 - packed.count * contextLength)
        XCTAssertLessThan(packed.leftOver, contextLength)
        var allTargets: [Int32] = []
        for s in 0..<packed.count {
            let ids = Array(packed.ids(of: s)), inputs = Array(packed.inputs(of: s)), targets = Array(packed.targets(of: s))
            XCTAssertEqual(ids.count, contextLength + 1)
            XCTAssertEqual(ids, Array(stream.ids[(s * contextLength)...(s * contextLength + contextLength)]))
            XCTAssertEqual(inputs.count, contextLength)
            XCTAssertEqual(targets.count, contextLength)
            XCTAssertEqual(Array(inputs.dropFirst()), Array(targets.dropLast()), "targets are the inputs shifted by one")
            if s + 1 < packed.count { XCTAssertEqual(targets.last, packed.inputs(of: s + 1).first) }
            allTargets += targets
        }
        XCTAssertEqual(allTargets, Array(stream.ids[1...(packed.count * contextLength)]), "every position a target, once")
    }

    func testEpochOrderAndBatchesComeFromTheStepAlone() throws {
        let stream = TokenStream(articles: FixtureCorpus.articles, tokenizer: FixtureCorpus.tokenizer)
        let packed = try PackedSequences(stream: stream, contextLength: 8)
        let batchSize = 4, seed: UInt64 = 77
        let perEpoch = packed.batchesPerEpoch(batchSize: batchSize)
        XCTAssertEqual(perEpoch, packed.count / batchSize)
        XCTAssertGreaterThan(perEpoch, 2)
        let order0 = packed.epochOrder(epoch: 0, seed: seed), order1 = packed.epochOrder(epoch: 1, seed: seed)
        XCTAssertEqual(order0.sorted(), Array(0..<packed.count))
        XCTAssertEqual(order1.sorted(), Array(0..<packed.count))
        XCTAssertNotEqual(order0, order1)
        XCTAssertEqual(order0, packed.epochOrder(epoch: 0, seed: seed))
        XCTAssertNotEqual(order0, packed.epochOrder(epoch: 0, seed: seed + 1))

        var seenInEpoch0 = Set<Int>()
        for step in 0..<(2 * perEpoch + 1) {
            let batch = packed.batch(step: step, batchSize: batchSize, seed: seed)
            let epoch = step / perEpoch, within = step % perEpoch
            XCTAssertEqual(batch.epoch, epoch)
            let order = epoch == 0 ? order0 : packed.epochOrder(epoch: epoch, seed: seed)
            XCTAssertEqual(batch.sequences, Array(order[(within * batchSize)..<((within + 1) * batchSize)]))
            XCTAssertEqual(batch.batch, batchSize)
            XCTAssertEqual(batch.length, 8)
            XCTAssertEqual(batch.inputs, batch.sequences.flatMap { Array(packed.inputs(of: $0)) })
            XCTAssertEqual(batch.targets, batch.sequences.flatMap { Array(packed.targets(of: $0)) })
            if epoch == 0 { seenInEpoch0.formUnion(batch.sequences) }
            // Rebuilt later from the step number alone (a resumed run), the batch is the same.
            XCTAssertEqual(packed.batch(step: step, batchSize: batchSize, seed: seed), batch)
        }
        XCTAssertEqual(seenInEpoch0.count, perEpoch * batchSize, "no sequence twice in an epoch")
    }

    func testEvaluationWindowsPredictEveryTargetOnce() throws {
        let stream = TokenStream(articles: Array(FixtureCorpus.articles.prefix(3)), tokenizer: FixtureCorpus.tokenizer)
        for contextLength in [1, 7, 64, stream.ids.count - 1, stream.ids.count + 5] {
            let windows = stream.evaluationWindows(contextLength: contextLength)
            XCTAssertTrue(windows.allSatisfy { $0.count >= 2 && $0.count <= contextLength + 1 })
            // Window k predicts ids (lowerBound + 1)..<upperBound; together, every id after the first, once.
            XCTAssertEqual(windows.flatMap { ($0.lowerBound + 1)..<$0.upperBound }, Array(1..<stream.ids.count), "\(contextLength)")
        }
    }

    func testTooShortAStreamIsAnError() {
        let stream = TokenStream(texts: ["가"], tokenizer: FixtureCorpus.tokenizer)
        let n = stream.ids.count
        XCTAssertEqual(n, FixtureCorpus.tokenizer.encode("가").count + 2)
        XCTAssertNoThrow(try PackedSequences(stream: stream, contextLength: n - 1))
        XCTAssertThrowsError(try PackedSequences(stream: stream, contextLength: n)) { error in
            XCTAssertTrue("\(error)".contains("\(n) ids cannot fill one sequence of \(n + 1)"), "\(error)")
        }
        XCTAssertThrowsError(try PackedSequences(stream: stream, contextLength: 0))
    }
}
