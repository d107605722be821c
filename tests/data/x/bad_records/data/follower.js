window.YTD.follower.part0 = [
  {
    "follower": {
      "userLink": "x"
    }
  }
]