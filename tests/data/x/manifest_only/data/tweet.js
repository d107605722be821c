window.YTD.tweet.part0 = [
  {
    "id_str": "5001",
    "id": "5001",
    "created_at": "Mon Jan 06 10:00:00 +0000 2025",
    "full_text": "@BenO an old archive",
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
]