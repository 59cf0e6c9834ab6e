import json

import falcon


class Stock:
    def __init__(self):
        self.levels = {}

    def on_get(self, request, response, sku):
        response.media = {"sku": sku, "level": self.levels.get(sku, 0)}


app = falcon.App()
app.add_route("/stock/{sku}", Stock())


def _dump(data) -> str:
    return json.dumps(data, separators=(",", ":"))
