window.YTD.tweets.part0 = [
  {
    "tweet": {
      "id_str": "2001",
      "id": "2001",
      "created_at": "Mon Jan 06 10:00:00 +0000 2025",
      "full_text": "@BenO hello",
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
  },
  {
    "tweet": {
      "created_at": "Mon Jan 06 10:00:00 +0000 2025",
      "full_text": "@BenO no id here",
      "entities": {
        "user_mentions": [
          {
            "screen_name": "BenO",
            "id_str": "200"
          }
        ]
      }
    }
  },
  {
    "tweet": {
      "id_str": "2003",
      "id": "2003",
      "created_at": "Mon Foo 99 10:00:00 +0000 2025",
      "full_text": "@BenO bad date",
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
  },
  {
    "like": {
      "tweetId": "1"
    }
  },
  {
    "tweet": {
      "id_str": "2005",
      "id": "2005",
      "created_at": "Mon Jan 06 10:00:00 +0000 2025",
      "full_text": "@BenO still read after the bad ones",
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