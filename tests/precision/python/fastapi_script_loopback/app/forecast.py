import httpx

UPSTREAM = "https://api.open-meteo.com/v1/forecast"


async def fetch(client: httpx.AsyncClient, lat: float, lon: float) -> dict:
    response = await client.get(UPSTREAM, params={"latitude": lat, "longitude": lon, "current_weather": True})
    response.raise_for_status()
    return response.json()["current_weather"]
