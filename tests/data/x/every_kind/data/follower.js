window.YTD.follower.part0 = [
  {
    "follower": {
      "accountId": "200",
      "userLink": "https://twitter.com/intent/user?user_id=200"
    }
  },
  {
    "follower": {
      "accountId": "600",
      "userLink": "x"
    }
  }
]