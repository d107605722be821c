window.YTD.tweets.part0 = [
  {
    "tweet": {
      "id_str": "6001",
      "id": "6001",
      "created_at": "Mon Jan 06 10:00:00 +0000 2025",
      "full_text": "@BenO hi",
      "entities": {
        "user_mentions": [
          {
            "name": "Ben Okafor",
            "screen_name": "BenO",
            "id_str": "200",
            "id": "200",
            "indices": [
              "0",
              "1"
            ]
          }
        ],
        "urls": []
      }
    }
  }
]