window.YTD.tweets.part0 = [
  {
    "tweet": {
      "id_str": "1010",
      "id": "1010",
      "created_at": "Wed Jan 08 09:00:00 +0000 2025",
      "full_text": "@BenO @carla_r thanks, both of you!",
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
          },
          {
            "name": "Carla Ruiz",
            "screen_name": "carla_r",
            "id_str": "300",
            "id": "300",
            "indices": [
              "0",
              "1"
            ]
          }
        ],
        "urls": []
      },
      "in_reply_to_user_id_str": "200",
      "in_reply_to_user_id": "200",
      "in_reply_to_status_id_str": "900",
      "in_reply_to_status_id": "900",
      "in_reply_to_screen_name": "BenO"
    }
  },
  {
    "tweet": {
      "id_str": "1009",
      "id": "1009",
      "created_at": "Tue Jan 07 12:02:00 +0000 2025",
      "full_text": "and the last part of my thread",
      "entities": {
        "user_mentions": [],
        "urls": []
      },
      "in_reply_to_user_id_str": "100",
      "in_reply_to_user_id": "100",
      "in_reply_to_status_id_str": "1008",
      "in_reply_to_status_id": "1008",
      "in_reply_to_screen_name": "AnaLima"
    }
  },
  {
    "tweet": {
      "id_str": "1008",
      "id": "1008",
      "created_at": "Tue Jan 07 12:01:00 +0000 2025",
      "full_text": "more of my thread, cc @dave",
      "entities": {
        "user_mentions": [
          {
            "name": "Dave",
            "screen_name": "dave",
            "id_str": "400",
            "id": "400",
            "indices": [
              "0",
              "1"
            ]
          }
        ],
        "urls": []
      },
      "in_reply_to_user_id_str": "100",
      "in_reply_to_user_id": "100",
      "in_reply_to_status_id_str": "1007",
      "in_reply_to_status_id": "1007",
      "in_reply_to_screen_name": "AnaLima"
    }
  },
  {
    "tweet": {
      "id_str": "1007",
      "id": "1007",
      "created_at": "Tue Jan 07 12:00:00 +0000 2025",
      "full_text": "a thread of mine starts here",
      "entities": {
        "user_mentions": [],
        "urls": []
      }
    }
  },
  {
    "tweet": {
      "id_str": "1006",
      "id": "1006",
      "created_at": "Mon Jan 06 18:00:00 +0000 2025",
      "full_text": "RT @carla_r: our launch is today &amp; you are invited",
      "entities": {
        "user_mentions": [
          {
            "name": "Carla Ruiz",
            "screen_name": "carla_r",
            "id_str": "300",
            "id": "300",
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
      "id_str": "1005",
      "id": "1005",
      "created_at": "Mon Jan 06 17:00:00 +0000 2025",
      "full_text": "RT @AnaLima: my own tweet again",
      "entities": {
        "user_mentions": [
          {
            "name": "Ana Lima",
            "screen_name": "AnaLima",
            "id_str": "100",
            "id": "100",
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
      "id_str": "1004",
      "id": "1004",
      "created_at": "Mon Jan 06 16:00:00 +0000 2025",
      "full_text": "this is so true https://t.co/x",
      "entities": {
        "user_mentions": [],
        "urls": [
          {
            "expanded_url": "https://x.com/Dave/status/777",
            "url": "https://t.co/x"
          }
        ]
      }
    }
  },
  {
    "tweet": {
      "id_str": "1003",
      "id": "1003",
      "created_at": "Mon Jan 06 15:00:00 +0000 2025",
      "full_text": "great talk by @BenO and @carla_r",
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
          },
          {
            "name": "Carla Ruiz",
            "screen_name": "carla_r",
            "id_str": "300",
            "id": "300",
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
      "id_str": "1002",
      "id": "1002",
      "created_at": "Mon Jan 06 14:00:00 +0000 2025",
      "full_text": "@grok what is kith?",
      "entities": {
        "user_mentions": [
          {
            "name": "Grok",
            "screen_name": "grok",
            "id_str": "500",
            "id": "500",
            "indices": [
              "0",
              "1"
            ]
          }
        ],
        "urls": []
      },
      "in_reply_to_user_id_str": "500",
      "in_reply_to_user_id": "500",
      "in_reply_to_screen_name": "grok"
    }
  },
  {
    "tweet": {
      "id_str": "1001",
      "id": "1001",
      "created_at": "Mon Jan 06 13:00:00 +0000 2025",
      "full_text": "just a thought of my own",
      "entities": {
        "user_mentions": [],
        "urls": []
      }
    }
  }
]