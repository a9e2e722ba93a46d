/// What the routes counted.
struct WebStats {
    var page = 0
    var state = 0
    var events = 0
    var metrics = 0
    var notFound = 0
    var unauthorized = 0
}
