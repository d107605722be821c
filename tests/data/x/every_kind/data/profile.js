window.YTD.profile.part0 = [
  {
    "profile": {
      "description": {
        "bio": "I make things",
        "website": "https://ana.example/",
        "location": "Porto"
      }
    }
  }
]