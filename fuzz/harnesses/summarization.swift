// The summarization readers on arbitrary bytes, three ways: as one sci-news-sum-kr-50 article (`07.json`, through
// Summarization.loadArticle), as that article inside a directory next to a valid one (Summarization.load on the
// directory, which also holds the bytes under a name that is not .json), and as a JSON Lines file of {document,
// summary} (Summarization.load on `summaries.jsonl`). Properties: a thrown error names the file (the article's own
// file when a directory fails); an article loads exactly when its JSON has a non-empty `sentences` array of strings
// and a non-empty `summaries` array of indices into it, and then the document is the sentences joined by spaces and
// the reference the chosen ones in article order; the directory gives the articles in name order; a JSON Lines file
// gives one example per record, or an error naming the first record without a document or summary.
import Repro
import Tensor
import Plumbing

let articleDirectory: String = {
    let directory = scratchDirectory + "/sci-news-sum-kr-50"
    do { try FileIO.makeDirectories(directory) } catch { violated("cannot create \(directory)") }
    let valid = #"{"title": "t", "sentences": ["첫 문장이다.", "둘째 문장이다."], "summaries": [1]}"#
    do { try FileIO.writeAtomically(directory + "/01.json", text: valid) } catch { violated("cannot write 01.json") }
    return directory
}()

func fuzzOne(_ bytes: [UInt8]) {
    checkArticle(bytes)
    checkJSONLines(bytes)
}

func checkArticle(_ bytes: [UInt8]) {
    _ = articleDirectory                                             // made (with 01.json) before the first write
    let path = scratchFile("sci-news-sum-kr-50/07.json", bytes)
    _ = scratchFile("sci-news-sum-kr-50/07.json.txt", bytes)        // not .json: the directory reader skips it
    let expected = articleBySpecification(bytes)
    let article: SummaryExample
    do {
        article = try Summarization.loadArticle(path)
    } catch {
        expectNamesFile(error, path)
        if expected != nil { violated("a valid article was rejected: \(error)") }
        do {
            _ = try Summarization.load(articleDirectory)
            violated("the directory loaded although 07.json does not")
        } catch {
            expectNamesFile(error, path)
        }
        return
    }
    guard let expected else { violated("an article without valid sentences and summaries loaded") }
    if article.id != "07" || article.document != expected.document || article.reference != expected.reference {
        violated("article read as \(article), expected \(expected)")
    }
    do {
        let all = try Summarization.load(articleDirectory)
        if all.map(\.id) != ["01", "07"] || all[1] != article { violated("directory read as \(all.map(\.id))") }
    } catch {
        violated("the directory did not load although 07.json does: \(error)")
    }
}

/// What the article format says the bytes hold: the sentences joined by spaces, and the chosen sentences (each once,
/// in article order) joined the same way; nil when the bytes are no such article.
func articleBySpecification(_ bytes: [UInt8]) -> (document: String, reference: String)? {
    guard let json = try? JSON.parse(bytes, file: "07.json"),
          let sentenceValues = json["sentences"]?.array, !sentenceValues.isEmpty,
          let chosenValues = json["summaries"]?.array, !chosenValues.isEmpty else { return nil }
    let sentences = sentenceValues.compactMap(\.string)
    guard sentences.count == sentenceValues.count else { return nil }
    var chosen = Set<Int>()
    for value in chosenValues {
        guard case .number(let x) = value, x >= 0, x < Double(sentences.count), x.rounded() == x else { return nil }
        chosen.insert(Int(x))
    }
    return (sentences.joined(separator: " "), chosen.sorted().map { sentences[$0] }.joined(separator: " "))
}

func checkJSONLines(_ bytes: [UInt8]) {
    let path = scratchFile("summaries.jsonl", bytes)
    let records: [JSON]?
    do { records = try Records.readJSONLines(path) } catch { records = nil }
    let examples: [SummaryExample]
    do {
        examples = try Summarization.load(path)
    } catch {
        expectNamesFile(error, path)
        guard let records else { return }                   // not JSON Lines: the kit's reader's error, tested in `jsonl`
        guard let e = error as? RecordError else { violated("not a RecordError: \(error)") }
        guard let index = e.record else {
            if !records.isEmpty { violated("an error about a record that names none: \(e)") }
            return
        }
        if index < 0 || index >= records.count { violated("record \(index) of \(records.count): \(e)") }
        if records[..<index].contains(where: { !hasText($0["document"]) || !hasText($0["summary"]) }) {
            violated("a record before record \(index) lacks a document or summary: \(e)")
        }
        if hasText(records[index]["document"]) && hasText(records[index]["summary"]) { violated("record \(index) is valid: \(e)") }
        return
    }
    guard let records else { violated("loaded what the JSON Lines reader rejects") }
    if examples.count != records.count { violated("\(records.count) records gave \(examples.count) examples") }
    for (i, (example, record)) in zip(examples, records).enumerated() {
        if example.document != record["document"]?.string || example.reference != record["summary"]?.string {
            violated("record \(i) read as \(example)")
        }
        if record["id"] == nil && example.id != String(i + 1) { violated("record \(i) without an id has id \(example.id)") }
    }
}

/// A string with something besides white space.
func hasText(_ value: JSON?) -> Bool {
    guard let text = value?.string else { return false }
    return !text.allSatisfy(\.isWhitespace)
}
