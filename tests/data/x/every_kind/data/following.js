window.YTD.following.part0 = [
  {
    "following": {
      "accountId": "200",
      "userLink": "x"
    }
  },
  {
    "following": {
      "accountId": "700",
      "userLink": "x"
    }
  }
]